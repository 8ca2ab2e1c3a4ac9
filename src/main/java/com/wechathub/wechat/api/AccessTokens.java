package com.wechathub.wechat.api;

import com.wechathub.wechat.WechatProperties;
import com.wechathub.wechat.WechatProperties.Account;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * One access token per account for the whole cluster (SPEC §10.1). A call takes the kept token;
 * only when there is none does a node ask WeChat, and only the node holding the account's lock:
 * it looks at the store once more after winning the lock (another node may just have stored
 * one — WxJava's #1222), fetches with {@code stable_token} in normal mode (never force_refresh,
 * which would invalidate every other node's token), and keeps the token until shortly before it
 * expires. The other nodes wait for the store meanwhile. Tokens and secrets are never logged.
 */
@Component
public class AccessTokens {

    static final String STABLE_TOKEN = "/cgi-bin/stable_token";

    private static final Logger log = LoggerFactory.getLogger(AccessTokens.class);
    private static final Duration POLL = Duration.ofMillis(25);

    private record Outcome(Instant at, String error) {
    }

    private final TokenStore store;
    private final WechatApiCalls calls;
    private final WechatProperties accounts;
    private final TokenProperties properties;
    private final MeterRegistry registry;
    private final Clock clock;
    private final String node = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
    private final Map<String, Outcome> lastRequest = new ConcurrentHashMap<>();

    AccessTokens(TokenStore store, WechatApiCalls calls, WechatProperties accounts, TokenProperties properties,
                 MeterRegistry registry, Clock clock) {
        this.store = store;
        this.calls = calls;
        this.accounts = accounts;
        this.properties = properties;
        this.registry = registry;
        this.clock = clock;
    }

    /** The account's token: the kept one, or a new one fetched by exactly one node. */
    public String token(String account) {
        Optional<String> kept = store.get(account);
        if (kept.isPresent()) {
            return kept.get();
        }
        String owner = node + "/" + Thread.currentThread().getId();
        long deadline = System.nanoTime() + properties.lockWait().toNanos();
        while (true) {
            if (store.tryLock(account, owner, properties.lockTtl())) {
                try {
                    kept = store.get(account); // another node may have stored one since we looked
                    return kept.isPresent() ? kept.get() : fetch(account);
                } finally {
                    store.unlock(account, owner);
                }
            }
            sleep();
            kept = store.get(account);
            if (kept.isPresent()) {
                return kept.get();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new WechatApiException(STABLE_TOKEN, null, "no access token for account " + account
                        + ": another node's token request did not finish within " + properties.lockWait().toSeconds() + " s");
            }
        }
    }

    /** WeChat refused {@code used}: drop it, unless another node has already replaced it. */
    public void invalidate(String account, String used) {
        store.deleteIfEquals(account, used);
    }

    private String fetch(String account) {
        Account config = accounts.account(account).filter(Account::callsApi)
                .orElseThrow(() -> new IllegalStateException("account " + account + " has no app-secret"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("grant_type", "client_credential");
        body.put("appid", config.appId());
        body.put("secret", config.appSecret());
        try {
            Map<String, Object> answer = calls.send(account, "POST", STABLE_TOKEN, Map.of(), body);
            if (!(answer.get("access_token") instanceof String token) || token.isBlank()
                    || !(answer.get("expires_in") instanceof Number expiresIn)) {
                throw new WechatApiException(STABLE_TOKEN, null, "WeChat's answer has no access_token and expires_in");
            }
            Duration keep = properties.keep(Duration.ofSeconds(expiresIn.longValue()));
            store.put(account, token, keep);
            lastRequest.put(account, new Outcome(clock.instant(), null));
            counted(account, "ok");
            log.info("Got an access token for account {} from WeChat, valid for {} s; kept for {} s",
                    account, expiresIn, keep.toSeconds());
            return token;
        } catch (WechatApiException e) {
            lastRequest.put(account, new Outcome(clock.instant(), e.getMessage()));
            counted(account, e.errcode() == null ? "failed" : "errcode_" + e.errcode());
            log.warn("Could not get an access token for account {}: {}", account, e.getMessage());
            throw e;
        }
    }

    /** The account's token state for the health endpoint (never the token itself). */
    Map<String, Object> describe(String account) {
        Map<String, Object> details = new LinkedHashMap<>();
        Optional<Duration> remaining = store.remaining(account);
        details.put("token", remaining.map(r -> "kept, used for " + r.toSeconds() + " s more")
                .orElse("none kept (fetched on first use)"));
        Outcome outcome = lastRequest.get(account);
        if (outcome != null) {
            details.put("lastRequest", outcome.at().toString());
            details.put("lastOutcome", outcome.error() == null ? "ok" : outcome.error());
        }
        return details;
    }

    /** True when this node's last token request for the account failed and no token is kept. */
    boolean failing(String account) {
        Outcome outcome = lastRequest.get(account);
        return outcome != null && outcome.error() != null && store.get(account).isEmpty();
    }

    private void counted(String account, String outcome) {
        Counter.builder("wechat.api.token.requests").description("stable_token requests this node made, by account and outcome")
                .tag("account", account).tag("outcome", outcome).register(registry).increment();
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WechatApiException(STABLE_TOKEN, null, "interrupted while waiting for a token");
        }
    }
}
