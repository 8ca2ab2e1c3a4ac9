package com.wechathub.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The hub's own meters, named for what an operator asks at 3 a.m.: how many pushes, how many
 * retries from WeChat, how many refused and why, how fast we answer, and how dispatch is going.
 * Served on /actuator/prometheus as wechat_pushes_total, wechat_push_answer_seconds, …
 */
@Component("hubMetrics")
public class HubMetrics {

    private final MeterRegistry registry;

    public HubMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void pushAccepted(Exchange exchange) {
        Counter.builder("wechat.pushes")
                .description("Pushes accepted, by account and event")
                .tag("account", tag(exchange.getMessage().getHeader("account", String.class)))
                .tag("event", eventTag(exchange))
                .register(registry).increment();
    }

    public void duplicate(Exchange exchange) {
        Counter.builder("wechat.duplicates")
                .description("Pushes recognised as WeChat retries of an event already taken")
                .tag("account", tag(exchange.getMessage().getHeader("account", String.class)))
                .register(registry).increment();
    }

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

    public void dispatched(String event, String outcome) {
        Counter.builder("wechat.dispatch").description("Dispatch outcomes, by event")
                .tag("event", tag(event)).tag("outcome", outcome).register(registry).increment();
    }

    private static String eventTag(Exchange exchange) {
        String event = exchange.getMessage().getHeader("Event", String.class);
        return event != null ? event : "message:" + tag(exchange.getMessage().getHeader("MsgType", String.class));
    }

    private static String tag(String value) {
        return value == null || value.isBlank() ? "none" : value;
    }
}
