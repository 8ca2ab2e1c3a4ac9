package com.wechathub.campaign;

import com.wechathub.inbox.EventFields;
import com.wechathub.inbox.Inbox;
import com.wechathub.wechat.WechatProperties;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Which campaign an event came through (docs/wechat.md, "The menu and scene-QR campaigns"): a subscribe with EventKey
 * {@code qrscene_<scene>} or a SCAN with {@code <scene>} of a configured campaign carries
 * {@code campaign} (its name) and {@code tags} in the CRM body and the broker message. The
 * subscribe and scan routes call {@link #attribute} before building them; both read {@link #of}.
 */
@Component("campaignAttribution")
public class CampaignAttribution {

    /** Exchange property: {campaign, tags} of the event's campaign, absent for any other event. */
    public static final String CAMPAIGN = "wechatCampaign";

    private final WechatProperties accounts;

    public CampaignAttribution(WechatProperties accounts) {
        this.accounts = accounts;
    }

    public void attribute(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> row = exchange.getProperty(Inbox.ROW, Map.class);
        String scene = EventFields.scene(row);
        if (scene == null) {
            return;
        }
        accounts.account((String) row.get("account")).flatMap(account -> account.campaign(scene)).ifPresent(campaign -> {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("campaign", campaign.name());
            fields.put("tags", campaign.tags());
            exchange.setProperty(CAMPAIGN, fields);
        });
    }

    /** The campaign's fields for this event (empty when it came through no campaign's code). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> of(Exchange exchange) {
        Map<String, Object> fields = exchange.getProperty(CAMPAIGN, Map.class);
        return fields == null ? Map.of() : fields;
    }
}
