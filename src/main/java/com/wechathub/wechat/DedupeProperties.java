package com.wechathub.wechat;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the hub remembers the pushes it has seen: each event's dedupe key (WeChat's retries) and
 * each signature used (docs/security.md), kept for {@code hub.push.dedupe-ttl}.
 *
 * @param store     {@code redis}: in Redis, shared by every node (prod; a Redis outage lets pushes through to the
 *                  inbox, which refuses duplicates itself); {@code memory}: in this process (one node)
 * @param keyPrefix Redis keys {@code <prefix>:<event id>} and {@code <prefix>:signature:<hash>}
 */
@Validated
@ConfigurationProperties("hub.dedupe")
public record DedupeProperties(
        @DefaultValue("memory") @Pattern(regexp = "memory|redis", message = "must be memory or redis") String store,
        @DefaultValue("wechat-dedupe") @NotBlank String keyPrefix) {
}
