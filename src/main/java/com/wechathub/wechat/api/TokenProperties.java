package com.wechathub.wechat.api;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the hub keeps WeChat's access tokens and backs off when WeChat refuses (docs/wechat.md).
 *
 * @param store               {@code redis}: one token per AppID for the whole cluster (prod); {@code memory}: this process
 * @param keyPrefix           Redis keys {@code <prefix>:<appid>}, {@code …:lock}, {@code …:force}, {@code …:note:<name>}
 * @param refreshMargin       a token is used until this long before WeChat's expiry, then fetched again
 * @param lockWait            how long a call waits for another node's token request before it fails
 * @param failureBackoff      after a configuration error (wrong AppSecret, IP not allowed, admin confirmation) or the
 *                            daily quota, no node asks WeChat for that AppID again for this long
 * @param retryBackoff        after a token request that failed otherwise (busy, no answer), no node asks again for this long
 * @param forceRefreshSpacing at most one force_refresh per AppID this often, for the whole cluster (WeChat: 30 s)
 * @param forceRefreshPerDay  and at most this many a day (WeChat: 20)
 */
@Validated
@ConfigurationProperties("hub.token")
record TokenProperties(
        @DefaultValue("memory") @Pattern(regexp = "memory|redis", message = "must be memory or redis") String store,
        @DefaultValue("wechat-token") @NotBlank String keyPrefix,
        @DefaultValue("60s") Duration refreshMargin,
        @DefaultValue("10s") Duration lockWait,
        @DefaultValue("5m") Duration failureBackoff,
        @DefaultValue("5s") Duration retryBackoff,
        @DefaultValue("30s") Duration forceRefreshSpacing,
        @DefaultValue("20") @PositiveOrZero int forceRefreshPerDay) {

    /** The token-request lock outlives one stable_token call (its timeout) with room to spare. */
    Duration lockTtl() {
        return lockWait;
    }

    /** How long to keep a token WeChat says is valid for {@code expiresIn}: until the margin, at least half of it. */
    Duration keep(Duration expiresIn) {
        Duration kept = expiresIn.minus(refreshMargin);
        Duration half = expiresIn.dividedBy(2);
        return kept.compareTo(half) < 0 ? half : kept;
    }

    /** How long every node leaves the AppID (or, for a quota, the API) alone after WeChat answered {@code errcode}. */
    Duration backoff(Integer errcode) {
        return switch (WechatErrors.kind(errcode)) {
            case CONFIGURATION -> failureBackoff;
            case QUOTA -> errcode == 45011 ? Duration.ofMinutes(1) : failureBackoff;
            default -> retryBackoff;
        };
    }
}
