package com.wechathub.follower;

import com.wechathub.inbox.Inbox;
import com.wechathub.wechat.api.WechatApi;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * What WeChat still tells about a new follower (SPEC §10.2): for an account with an app-secret,
 * {@code user/info} before the CRM call; its unionid, subscribe_scene and qr_scene_str go into
 * the CRM binding body and the broker message as {@code unionid}, {@code subscribeScene},
 * {@code qrSceneStr}. A failed call fails the event, which the dispatcher retries like a CRM
 * failure. Without an app-secret there is no call and the fields are absent.
 */
@Component("followerDetails")
public class FollowerDetails {

    /** Exchange property: the fields above that WeChat returned, by their names in our messages. */
    public static final String DETAILS = "wechatFollowerDetails";

    private static final Map<String, String> FIELDS = Map.of(
            "unionid", "unionid", "subscribe_scene", "subscribeScene", "qr_scene_str", "qrSceneStr");

    private final WechatApi api;

    public FollowerDetails(WechatApi api) {
        this.api = api;
    }

    public void fetch(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> row = exchange.getProperty(Inbox.ROW, Map.class);
        String account = (String) row.get("account");
        if (!api.enabled(account)) {
            return;
        }
        Map<String, Object> info = api.userInfo(account, (String) row.get("open_id"));
        Map<String, Object> details = new LinkedHashMap<>();
        for (String field : new String[] {"unionid", "subscribe_scene", "qr_scene_str"}) {
            Object value = info.get(field);
            if (value != null && !value.toString().isEmpty()) {
                details.put(FIELDS.get(field), value.toString());
            }
        }
        exchange.setProperty(DETAILS, details);
    }

    /** The details fetched for this event (empty when there was no call). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> of(Exchange exchange) {
        Map<String, Object> details = exchange.getProperty(DETAILS, Map.class);
        return details == null ? Map.of() : details;
    }
}
