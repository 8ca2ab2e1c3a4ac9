package com.wechathub.metrics;

import com.wechathub.wechat.WechatProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The hub's own meters, named for what an operator asks at 3 a.m.: how many pushes, how many
 * retries from WeChat, how many refused and why, how fast we answer, and how dispatch is going.
 * Served on /actuator/prometheus as wechat_pushes_total, wechat_push_answer_seconds, …
 *
 * <p>Every tag value comes from a fixed set: a configured account, one of WeChat's event or
 * message types, or {@code other}. A push's fields are the internet's to choose, and a tag taken
 * from them as sent would let anyone add series to the registry until it fills the heap.
 */
@Component("hubMetrics")
public class HubMetrics {

    /** What a tag says for a value outside its set. */
    public static final String OTHER = "other";

    // The seed's events, and the other events WeChat documents for Official Accounts.
    private static final Set<String> EVENTS = Set.of("subscribe", "unsubscribe", "SCAN", "LOCATION", "CLICK", "VIEW",
            "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album", "pic_weixin",
            "location_select", "view_miniprogram", "TEMPLATESENDJOBFINISH", "MASSSENDJOBFINISH");
    // Ordinary messages' MsgType values.
    private static final Set<String> MESSAGES = Set.of("text", "image", "voice", "video", "shortvideo", "location",
            "link", "file");

    private final MeterRegistry registry;
    private final WechatProperties accounts;

    public HubMetrics(MeterRegistry registry, WechatProperties accounts) {
        this.registry = registry;
        this.accounts = accounts;
    }

    public void pushAccepted(Exchange exchange) {
        Counter.builder("wechat.pushes")
                .description("Pushes accepted, by account and event")
                .tag("account", accountTag(exchange.getMessage().getHeader("account", String.class)))
                .tag("event", eventTag(exchange))
                .register(registry).increment();
    }

    public void duplicate(Exchange exchange) {
        Counter.builder("wechat.duplicates")
                .description("Pushes recognised as WeChat retries of an event already taken")
                .tag("account", accountTag(exchange.getMessage().getHeader("account", String.class)))
                .register(registry).increment();
    }

    /** A push or URL check that was signed or encrypted with the account's previous token or AES key (a rotation in progress). */
    public void previousCredentials(String account) {
        Counter.builder("wechat.pushes.previous.credentials")
                .description("Pushes that needed the account's previous token or AES key: at zero for a while, remove previous-*")
                .tag("account", accountTag(account)).register(registry).increment();
    }

    /** A refused push; the reason is one of the hub's own short codes (signature, xml, too_large, …). */
    public void rejected(String reason) {
        Counter.builder("wechat.rejections").description("Pushes refused, by reason")
                .tag("reason", tag(reason)).register(registry).increment();
    }

    /** Times the answer from the request's arrival; called as the callback route's last step. */
    public void answered(Exchange exchange) {
        String route = exchange.getFromRouteId();
        if (route != null && route.startsWith("admin-")) {
            return; // the operator API and console (which polls) are not pushes
        }
        long elapsed = exchange.getClock().elapsed();
        Timer.builder("wechat.push.answer")
                .description("Time to answer a push")
                .tag("status", String.valueOf(exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class)))
                .publishPercentileHistogram()
                .serviceLevelObjectives(Duration.ofMillis(25), Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5))
                .register(registry).record(Duration.ofMillis(elapsed));
    }

    /** A dispatch outcome (done, retry, dead, …) of an event ({@code message:<MsgType>} for a message). */
    public void dispatched(String event, String outcome) {
        String tag = event != null && event.startsWith("message:")
                ? eventTag(null, event.substring("message:".length()))
                : eventTag(event, null);
        Counter.builder("wechat.dispatch").description("Dispatch outcomes, by event")
                .tag("event", tag).tag("outcome", outcome)
                .register(registry).increment();
    }

    /** A configured account's id, else {@link #OTHER}. */
    public String accountTag(String account) {
        return account != null && accounts.account(account).isPresent() ? account : OTHER;
    }

    static String eventTag(String event, String msgType) {
        if (event != null) {
            return known(event, EVENTS);
        }
        return "message:" + (msgType == null || msgType.equals("null") ? "none" : known(msgType, MESSAGES));
    }

    private static String eventTag(Exchange exchange) {
        return eventTag(exchange.getMessage().getHeader("Event", String.class),
                exchange.getMessage().getHeader("MsgType", String.class));
    }

    private static String known(String value, Set<String> set) {
        return set.contains(value) ? value : OTHER;
    }

    private static String tag(String value) {
        return value == null || value.isBlank() ? "none" : value;
    }
}
