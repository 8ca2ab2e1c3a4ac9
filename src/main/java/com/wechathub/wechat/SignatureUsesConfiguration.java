package com.wechathub.wechat;

import java.time.Clock;
import java.time.Duration;
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
    SignatureUses redisSignatureUses(StringRedisTemplate redis, PushProperties limits, DedupeProperties dedupe) {
        return new RedisSignatureUses(redis, dedupe.keyPrefix() + ":signature:", keep(limits));
    }

    @Bean
    @ConditionalOnProperty(name = "hub.dedupe.store", havingValue = "memory", matchIfMissing = true)
    SignatureUses memorySignatureUses(Clock clock, PushProperties limits) {
        return new MemorySignatureUses(clock, keep(limits), 100_000);
    }

    /** Twice the tolerance; without a window (tolerance 0), as long as a dedupe key. */
    static Duration keep(PushProperties limits) {
        Duration tolerance = limits.timestampTolerance();
        return tolerance.isZero() || tolerance.isNegative() ? limits.dedupeTtl() : tolerance.multipliedBy(2).plusSeconds(1);
    }
}
