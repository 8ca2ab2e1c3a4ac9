package com.wechathub.follower;

import com.wechathub.inbox.Inbox;
import com.wechathub.wechat.api.WechatApi;
import com.wechathub.wechat.api.WechatApiException;
import com.wechathub.wechat.api.WechatErrors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What WeChat still tells about a new follower (docs/wechat.md): for an account with an app-secret,
 * {@code user/info} before the CRM call; its unionid, subscribe_scene and qr_scene_str go into
 * the CRM binding body and the broker message as {@code unionid}, {@code subscribeScene},
 * {@code qrSceneStr}. A failed call fails the event, which the dispatcher retries like a CRM
 * failure — unless WeChat's answer is permanent for that call (48001: the account lacks the
 * permission; 43004: no longer following): then the binding is made without the details, and the
 * reason is kept with the event ({@code api_note}) and counted. A subscribe older than
 * hub.follower.details-max-age, or whose follower has unfollowed since, is not enriched. Without an
 * app-secret there is no call and the fields are absent.
 */
@Component("followerDetails")
public class FollowerDetails {

    /** Exchange property: the fields above that WeChat returned, by their names in our messages. */
    public static final String DETAILS = "wechatFollowerDetails";

    private static final Logger log = LoggerFactory.getLogger(FollowerDetails.class);
    private static final Map<String, String> FIELDS = Map.of(
            "unionid", "unionid", "subscribe_scene", "subscribeScene", "qr_scene_str", "qrSceneStr");

    private final WechatApi api;
    private final JdbcTemplate jdbc;
    private final FollowerProperties properties;
    private final MeterRegistry registry;
    private final Clock clock;

    public FollowerDetails(WechatApi api, JdbcTemplate jdbc, FollowerProperties properties, MeterRegistry registry, Clock clock) {
        this.api = api;
        this.jdbc = jdbc;
        this.properties = properties;
        this.registry = registry;
        this.clock = clock;
    }

    public void fetch(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> row = exchange.getProperty(Inbox.ROW, Map.class);
        String account = (String) row.get("account");
        if (!api.enabled(account)) {
            return;
        }
        long createTime = ((Number) row.get("create_time")).longValue();
        if (clock.millis() / 1000 - createTime > properties.detailsMaxAge().toSeconds()) {
            without(row, "stale", "not enriched: the subscribe is older than hub.follower.details-max-age ("
                    + properties.detailsMaxAge() + ")");
            return;
        }
        if (unfollowedSince(row, createTime)) {
            without(row, "unfollowed", "not enriched: the follower unfollowed after this subscribe");
            return;
        }
        Map<String, Object> info;
        try {
            info = api.userInfo(account, (String) row.get("open_id"));
        } catch (WechatApiException e) {
            WechatErrors.Kind kind = e.kind();
            if (kind == WechatErrors.Kind.PERMANENT || kind == WechatErrors.Kind.FINAL) {
                without(row, "errcode_" + e.errcode(), "bound without WeChat's details: user/info answered errcode "
                        + e.errcode() + " (" + WechatErrors.meaning(e.errcode()) + ")");
                return;
            }
            throw e; // transient, token, configuration, quota: the event is retried later
        }
        Map<String, Object> details = new LinkedHashMap<>();
        for (String field : new String[] {"unionid", "subscribe_scene", "qr_scene_str"}) {
            Object value = info.get(field);
            if (value != null && !value.toString().isEmpty()) {
                details.put(FIELDS.get(field), value.toString());
            }
        }
        exchange.setProperty(DETAILS, details);
    }

    /** The follower's subscription was last set by a later unsubscribe (Followers keeps the latest CreateTime). */
    private boolean unfollowedSince(Map<String, Object> row, long createTime) {
        return !jdbc.queryForList("""
                SELECT 1 FROM wechat_follower WHERE account = ? AND open_id = ? AND subscribed = FALSE AND subscription_time > ?""",
                row.get("account"), row.get("open_id"), createTime).isEmpty();
    }

    private void without(Map<String, Object> row, String reason, String note) {
        jdbc.update("UPDATE wechat_event SET api_note = ? WHERE id = ?", note, row.get("id"));
        Counter.builder("wechat.follower.details.skipped")
                .description("Subscribes bound without WeChat's follower details, by reason (errcode_48001, errcode_43004, stale, unfollowed)")
                .tag("account", (String) row.get("account")).tag("reason", reason).register(registry).increment();
        log.info("Event {}: {}", row.get("id"), note);
    }

    /** The details fetched for this event (empty when there was no call). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> of(Exchange exchange) {
        Map<String, Object> details = exchange.getProperty(DETAILS, Map.class);
        return details == null ? Map.of() : details;
    }
}
