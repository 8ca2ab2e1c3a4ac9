package com.wechathub.wechat.api;

import com.wechathub.accounts.AccountsChanged;
import com.wechathub.node.NodeIdentity;
import com.wechathub.wechat.WechatProperties.Account;
import com.wechathub.wechat.WechatProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * One access token per AppID for the whole cluster (docs/wechat.md). A call takes the kept
 * token; only when there is none, or WeChat refused it, does a node ask WeChat, and only the node
 * holding the AppID's lock: it looks at the store once more after winning the lock (another node
 * may just have stored one — WxJava's #1222) and stores what it got by compare-and-set, so a newer
 * token is never overwritten. {@code stable_token} in normal mode answers the token valid now,
 * which after a refusal may be the very token refused: then one {@code force_refresh} per AppID
 * per 30 s (and at most 20 a day) for the whole cluster; otherwise the call fails and its event is
 * retried later. A refused token request is remembered per AppID in the store, so no node asks
 * again before its backoff ends. Tokens and secrets are never logged.
 */
@Component
public class AccessTokens {

    static final String STABLE_TOKEN = "/cgi-bin/stable_token";
    /** The APIs whose quota notes health shows. */
    static final List<String> APIS = List.of(STABLE_TOKEN, WechatApi.USER_INFO, WechatApi.CUSTOM_SEND, WechatApi.CUSTOM_TYPING);

    private static final Logger log = LoggerFactory.getLogger(AccessTokens.class);
    private static final Duration POLL = Duration.ofMillis(25);
    private static final ZoneId WECHAT_DAY = ZoneId.of("Asia/Shanghai");
    private static final String BACKOFF = "backoff";
    private static final String STALE = "stale";

    private record Outcome(Instant at, String error) {
    }

    private final TokenStore store;
    private final WechatApiCalls calls;
    private final WechatProperties accounts;
    private final TokenProperties properties;
    private final MeterRegistry registry;
    private final Clock clock;
    private final String node;
    private final Map<String, Outcome> lastRequest = new ConcurrentHashMap<>();

    AccessTokens(TokenStore store, WechatApiCalls calls, WechatProperties accounts, TokenProperties properties,
                 MeterRegistry registry, Clock clock, NodeIdentity node) {
        this.store = store;
        this.node = node.id();
        this.calls = calls;
        this.accounts = accounts;
        this.properties = properties;
        this.registry = registry;
        this.clock = clock;
    }

    /**
     * A live edit changed an account's app-id or app-secret (docs/operating.md, "Live edits"): the token kept for the old
     * credentials is dropped, so the next call fetches one with the new ones, and this node's last
     * request outcome for the account no longer shows on health.
     */
    @EventListener
    void accountsChanged(AccountsChanged change) {
        for (String id : change.before().keySet()) {
            Account was = change.before().get(id);
            if (change.credentialsChanged(id) && was.appId() != null && !was.appId().isBlank()) {
                lastRequest.remove(id);
                store.get(was.appId()).ifPresent(token -> store.drop(was.appId(), token));
                log.info("Account {}: its WeChat API credentials changed; the kept access token is dropped", id);
            }
        }
    }

    /** The account's token: the kept one, or a new one fetched by exactly one node. */
    public String token(String account) {
        return obtain(account, null);
    }

    /**
     * WeChat refused {@code refused} (errcode 40001, 40014, 42001): a token other than it — one
     * another node stored meanwhile, or a new one. Fails when WeChat keeps answering the refused
     * token and no force_refresh is allowed now.
     */
    public String replaceRefused(String account, String refused) {
        return obtain(account, refused);
    }

    /** Fails at once while every node leaves the account's AppID, or this API of it, alone. */
    void checkNotBackingOff(String account, String api) {
        Account config = config(account);
        Optional<ApiBackoff> blocked = backoff(config, BACKOFF).filter(b -> b.kind() == WechatErrors.Kind.CONFIGURATION)
                .or(() -> backoff(config, quotaNote(api)));
        if (blocked.isPresent()) {
            throw deferred(new WechatApiException(api, blocked.get().errcode(), "account " + account + ": " + blocked.get().describe()),
                    blocked.get());
        }
    }

    /** A configuration error names the backoff's end, so the dispatcher retries its event then without spending an attempt. */
    private static WechatApiException deferred(WechatApiException refused, ApiBackoff backoff) {
        return backoff.kind() == WechatErrors.Kind.CONFIGURATION ? refused.backingOffUntil(backoff.until()) : refused;
    }

    /** A call was refused in a way seconds will not fix: every node leaves the AppID (quota: the API) alone for a while. */
    WechatApiException remember(String account, String api, WechatApiException refused) {
        WechatErrors.Kind kind = refused.kind();
        if (kind == WechatErrors.Kind.CONFIGURATION) {
            return deferred(refused, note(config(account), BACKOFF, refused));
        } else if (kind == WechatErrors.Kind.QUOTA) {
            note(config(account), quotaNote(api), refused);
        }
        return refused;
    }

    private String obtain(String account, String refused) {
        Account config = config(account);
        String appId = config.appId();
        Optional<String> kept = usable(appId, refused);
        if (kept.isPresent()) {
            return kept.get();
        }
        checkMayAsk(account, config, refused);
        String owner = node + "/" + Thread.currentThread().getId();
        long deadline = System.nanoTime() + properties.lockWait().toNanos();
        while (true) {
            if (store.tryLock(appId, owner, properties.lockTtl())) {
                try {
                    kept = usable(appId, refused); // another node may have stored one since we looked
                    if (kept.isPresent()) {
                        return kept.get();
                    }
                    checkMayAsk(account, config, refused);
                    return fetch(account, config, store.get(appId).orElse(null), refused);
                } finally {
                    store.unlock(appId, owner);
                }
            }
            sleep();
            kept = usable(appId, refused);
            if (kept.isPresent()) {
                return kept.get();
            }
            checkMayAsk(account, config, refused); // the lock holder's request failed: fail with it
            if (System.nanoTime() - deadline > 0) {
                throw new WechatApiException(STABLE_TOKEN, null, "no access token for account " + account
                        + ": another node's token request did not finish within " + properties.lockWait().toSeconds() + " s");
            }
        }
    }

    private Optional<String> usable(String appId, String refused) {
        return store.get(appId).filter(token -> !token.equals(refused));
    }

    private void checkMayAsk(String account, Account config, String refused) {
        Optional<ApiBackoff> backoff = backoff(config, BACKOFF);
        if (backoff.isPresent()) {
            throw deferred(new WechatApiException(STABLE_TOKEN, backoff.get().errcode(), "no access token for account " + account
                    + ": " + backoff.get().describe()), backoff.get());
        }
        if (refused != null && store.note(config.appId(), STALE).filter(refused::equals).isPresent()) {
            throw stale(account, "a force_refresh was made or refused within the last "
                    + properties.forceRefreshSpacing().toSeconds() + " s");
        }
    }

    private String fetch(String account, Account config, String current, String refused) {
        String appId = config.appId();
        Token fresh = stableToken(account, config, false);
        if (refused != null && fresh.value().equals(refused)) {
            // Normal mode answers the token valid now, so WeChat may well answer the refused one again.
            TokenStore.ForceRefresh permit = store.tryForceRefresh(appId, properties.forceRefreshSpacing(),
                    properties.forceRefreshPerDay(), LocalDate.now(clock.withZone(WECHAT_DAY)).toString());
            Counter.builder("wechat.api.token.force.refresh")
                    .description("force_refresh permits asked after WeChat answered a refused token again, by outcome (at most 20 a day are granted)")
                    .tag("account", account).tag("outcome", permit.name().toLowerCase()).register(registry).increment();
            if (permit != TokenStore.ForceRefresh.GRANTED) {
                store.putNote(appId, STALE, refused, properties.forceRefreshSpacing());
                throw stale(account, permit == TokenStore.ForceRefresh.TOO_SOON
                        ? "another force_refresh was made within the last " + properties.forceRefreshSpacing().toSeconds() + " s"
                        : "the " + properties.forceRefreshPerDay() + " force_refresh calls of the day are used up");
            }
            log.warn("WeChat answered the access token it had just refused for account {} again; asking for a new one (force_refresh)", account);
            fresh = stableToken(account, config, true);
        }
        Duration keep = properties.keep(fresh.expiresIn());
        String kept = store.replace(appId, current, fresh.value(), keep);
        log.info("Got an access token for account {} from WeChat, valid for {} s; kept for {} s{}", account,
                fresh.expiresIn().toSeconds(), keep.toSeconds(), kept.equals(fresh.value()) ? "" : " (another node's newer one is kept)");
        return kept;
    }

    private record Token(String value, Duration expiresIn) {
    }

    private Token stableToken(String account, Account config, boolean force) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("grant_type", "client_credential");
        body.put("appid", config.appId());
        body.put("secret", config.appSecret());
        if (force) {
            body.put("force_refresh", true);
        }
        try {
            Map<String, Object> answer = calls.send(account, "POST", STABLE_TOKEN, Map.of(), body);
            if (!(answer.get("access_token") instanceof String token) || token.isBlank()
                    || !(answer.get("expires_in") instanceof Number expiresIn)) {
                throw new WechatApiException(STABLE_TOKEN, null, "WeChat's answer has no access_token and expires_in");
            }
            lastRequest.put(account, new Outcome(clock.instant(), null));
            counted(account, "ok");
            return new Token(token, Duration.ofSeconds(expiresIn.longValue()));
        } catch (WechatApiException e) {
            lastRequest.put(account, new Outcome(clock.instant(), e.getMessage()));
            counted(account, e.errcode() == null ? "failed" : "errcode_" + e.errcode());
            ApiBackoff backoff = note(config, BACKOFF, e);
            log.warn("Could not get an access token for account {}: {}; no node asks again until {}", account, e.getMessage(), backoff.until());
            throw deferred(e, backoff);
        }
    }

    private WechatApiException stale(String account, String why) {
        return new WechatApiException(STABLE_TOKEN, 40001, "no new access token for account " + account
                + ": WeChat refused the token (a token error: 40001, 40014, 42001) and stable_token answers the same one again, and " + why
                + "; the call fails and its event is retried later");
    }

    private ApiBackoff note(Account config, String name, WechatApiException refused) {
        Instant now = clock.instant();
        Duration wait = properties.backoff(refused.errcode());
        ApiBackoff backoff = new ApiBackoff(refused.errcode(), now, now.plus(wait), fingerprint(config), refused.getMessage());
        store.putNote(config.appId(), name, backoff.encode(), wait);
        return backoff;
    }

    /** The AppID's backoff, unless it was recorded for another AppSecret (the operator has fixed it since). */
    private Optional<ApiBackoff> backoff(Account config, String name) {
        return store.note(config.appId(), name).flatMap(ApiBackoff::decode).filter(b -> b.fingerprint().equals(fingerprint(config)));
    }

    private static String quotaNote(String api) {
        return "quota:" + api;
    }

    /** The account's token state for the health endpoint (never the token itself, never the secret). */
    Map<String, Object> describe(String account) {
        Account config = config(account);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("appId", config.appId());
        Optional<Duration> remaining = store.remaining(config.appId());
        details.put("token", remaining.map(r -> "kept, used for " + r.toSeconds() + " s more")
                .orElse("none kept (fetched on first use)"));
        backoff(config, BACKOFF).ifPresent(b -> details.put(b.kind() == WechatErrors.Kind.CONFIGURATION ? "refused" : "backingOff", b.describe()));
        for (String api : APIS) {
            backoff(config, quotaNote(api)).ifPresent(b -> details.put("warning " + api, b.describe()));
        }
        Outcome outcome = lastRequest.get(account);
        if (outcome != null) {
            details.put("lastRequest", outcome.at().toString());
            details.put("lastOutcome", outcome.error() == null ? "ok" : outcome.error());
        }
        return details;
    }

    /**
     * True when the account cannot call WeChat now: WeChat refused its configuration (any node
     * saw it), or the last token request failed and no token is kept.
     */
    boolean failing(String account) {
        Account config = config(account);
        Optional<ApiBackoff> backoff = backoff(config, BACKOFF);
        return backoff.isPresent() && (backoff.get().kind() == WechatErrors.Kind.CONFIGURATION || store.get(config.appId()).isEmpty());
    }

    private Account config(String account) {
        return accounts.account(account).filter(Account::callsApi)
                .orElseThrow(() -> new IllegalStateException("account " + account + " has no app-secret"));
    }

    private static String fingerprint(Account config) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((config.appId() + "\n" + config.appSecret()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
