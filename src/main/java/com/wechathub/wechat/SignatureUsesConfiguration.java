package com.wechathub.wechat;

import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Where used signatures are kept, beside the dedupe store ({@code hub.dedupe.store}): Redis in
 * prod (keys {@code <hub.dedupe.key-prefix>:signature:<hash>}), in memory otherwise. A triple is
 * kept for as long as its timestamp can pass the window: the tolerance either side of now.
 */
@Configuration(proxyBeanMethods = false)
class SignatureUsesConfiguration {

    @Bean
    @ConditionalOnProperty(name = "hub.dedupe.store", havingValue = "redis")
    SignatureUses redisSignatureUses(StringRedisTemplate redis, WechatProperties.Limits limits,
                                     @Value("${hub.dedupe.key-prefix:wechat-dedupe}") String keyPrefix) {
        return new RedisSignatureUses(redis, keyPrefix + ":signature:", keep(limits));
    }

    @Bean
    @ConditionalOnProperty(name = "hub.dedupe.store", havingValue = "memory", matchIfMissing = true)
    SignatureUses memorySignatureUses(Clock clock, WechatProperties.Limits limits) {
        return new MemorySignatureUses(clock, keep(limits), 100_000);
    }

    /** Twice the tolerance; without a window (tolerance 0), as long as a dedupe key. */
    static Duration keep(WechatProperties.Limits limits) {
        Duration tolerance = limits.timestampTolerance();
        return tolerance.isZero() || tolerance.isNegative() ? limits.dedupeTtl() : tolerance.multipliedBy(2).plusSeconds(1);
    }
}
