package com.wechathub.wechat.api;

import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The token store: {@code hub.token.store=redis} (prod) or {@code memory} (default), like hub.dedupe.store. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TokenProperties.class)
class TokenStoreConfiguration {

    @Bean
    @ConditionalOnProperty(name = "hub.token.store", havingValue = "redis")
    TokenStore redisTokenStore(StringRedisTemplate redis, TokenProperties properties) {
        return new RedisTokenStore(redis, properties.keyPrefix());
    }

    @Bean
    @ConditionalOnProperty(name = "hub.token.store", havingValue = "memory", matchIfMissing = true)
    TokenStore memoryTokenStore(Clock clock) {
        return new MemoryTokenStore(clock);
    }
}
