package com.wechathub.wechat.api;

import com.wechathub.wechat.WechatProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * {@code wechat_api_token_up{account}}: per API-enabled account (one with an app-secret), 1 while
 * a token can be had, 0 while WeChat refuses the account's configuration or the last token request
 * failed and none is kept — the state the {@code wechatApi} health component shows as DOWN. NaN
 * while the token store (Redis, with a health component of its own) cannot be read.
 *
 * <p>The state lives in the token store, so it is read by one thread of this class every
 * {@link #SAMPLE_EVERY_MS} ms and scrapes answer the last reading. Accounts change live: an added
 * account gets its gauge at the next reading, a removed one loses it. The tag is the configured
 * account id, never anything a push said.
 */
@Component
class TokenGauges implements DisposableBean {

    static final long SAMPLE_EVERY_MS = 5_000;

    private final WechatProperties properties;
    private final AccessTokens tokens;
    private final MeterRegistry registry;
    private final Map<String, Reading> readings = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "token-gauges");
        thread.setDaemon(true);
        return thread;
    });

    /** One account's last reading, and its gauge. */
    private static final class Reading {
        volatile double up = Double.NaN;
        Gauge gauge;
    }

    TokenGauges(WechatProperties properties, AccessTokens tokens, MeterRegistry registry) {
        this.properties = properties;
        this.tokens = tokens;
        this.registry = registry;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        gauges(); // at once: the series exist from the first scrape, before the first reading
        sampler.scheduleWithFixedDelay(this::sample, 0, SAMPLE_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void destroy() {
        sampler.shutdownNow();
    }

    void sample() {
        for (String account : gauges()) {
            Reading reading = readings.get(account);
            try {
                reading.up = tokens.failing(account) ? 0 : 1;
            } catch (RuntimeException e) { // the token store is unreachable, or the account just lost its secret
                reading.up = Double.NaN;
            }
        }
    }

    /** One gauge per API-enabled account now configured; answers those accounts. */
    private Set<String> gauges() {
        Set<String> accounts = properties.accounts().entrySet().stream().filter(a -> a.getValue().callsApi())
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        readings.keySet().removeIf(account -> {
            if (accounts.contains(account)) {
                return false;
            }
            registry.remove(readings.get(account).gauge);
            return true;
        });
        accounts.forEach(account -> readings.computeIfAbsent(account, this::gauge));
        return accounts;
    }

    private Reading gauge(String account) {
        Reading reading = new Reading();
        reading.gauge = Gauge.builder("wechat.api.token.up", reading, r -> r.up)
                .description("1 while the account can have an access token for WeChat's API, 0 while refused or backing off")
                .tag("account", account).register(registry);
        return reading;
    }
}
