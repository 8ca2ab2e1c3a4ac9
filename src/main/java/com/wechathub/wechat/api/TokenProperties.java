package com.wechathub.wechat.api;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the hub keeps WeChat's access tokens (SPEC §10.1).
 *
 * @param store         {@code redis}: one token per account for the whole cluster (prod); {@code memory}: this process
 * @param keyPrefix     Redis keys {@code <prefix>:<account>} and {@code <prefix>:<account>:lock}
 * @param refreshMargin a token is used until this long before WeChat's expiry, then fetched again
 * @param lockWait      how long a call waits for another node's token request before it fails
 */
@ConfigurationProperties("hub.token")
record TokenProperties(
        @DefaultValue("memory") String store,
        @DefaultValue("wechat-token") String keyPrefix,
        @DefaultValue("60s") Duration refreshMargin,
        @DefaultValue("10s") Duration lockWait) {

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
}
