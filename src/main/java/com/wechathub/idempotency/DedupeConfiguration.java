package com.wechathub.idempotency;

import com.wechathub.wechat.DedupeProperties;
import com.wechathub.wechat.PushProperties;
import org.apache.camel.component.redis.processor.idempotent.SpringRedisStringIdempotentRepository;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The dedupe store behind the routes' idempotent consumer ({@code idempotentRepository: wechatDedupe}).
 * {@code hub.dedupe.store=redis} (the prod profile): one Redis key per event, set atomically
 * with SET NX EX and expiring after {@code hub.push.dedupe-ttl}. Otherwise an in-process store
 * for the embedded default profile.
 */
@Configuration(proxyBeanMethods = false)
class DedupeConfiguration {

    @Bean("wechatDedupe")
    @ConditionalOnProperty(name = "hub.dedupe.store", havingValue = "redis")
    IdempotentRepository redisDedupe(StringRedisTemplate redis, PushProperties limits, DedupeProperties dedupe) {
        var repository = new SpringRedisStringIdempotentRepository(redis, dedupe.keyPrefix());
        repository.setExpiry(limits.dedupeTtl().toSeconds());
        return new FailOpenIdempotentRepository(repository);
    }

    @Bean("wechatDedupe")
    @ConditionalOnProperty(name = "hub.dedupe.store", havingValue = "memory", matchIfMissing = true)
    IdempotentRepository memoryDedupe() {
        return MemoryIdempotentRepository.memoryIdempotentRepository(10_000);
    }
}
