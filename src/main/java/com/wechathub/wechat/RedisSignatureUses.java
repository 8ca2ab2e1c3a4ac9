package com.wechathub.wechat;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The triples of the whole cluster, in Redis (prod): one key per account and triple, set with
 * SET NX EX (one round trip for a first use; a second, GET, only for a triple seen before). When
 * Redis is unreachable the check is skipped, as the dedupe store does: answering WeChat matters
 * more; the signature and the timestamp window still hold.
 */
final class RedisSignatureUses implements SignatureUses {

    private static final Logger log = LoggerFactory.getLogger(RedisSignatureUses.class);

    private final StringRedisTemplate redis;
    private final String prefix;
    private final Duration ttl;

    RedisSignatureUses(StringRedisTemplate redis, String prefix, Duration ttl) {
        this.redis = redis;
        this.prefix = prefix;
        this.ttl = ttl;
    }

    @Override
    public boolean firstOrSame(String triple, String request) {
        String key = prefix + triple;
        try {
            if (Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(key, request, ttl))) {
                return true;
            }
            String first = redis.opsForValue().get(key);
            return first == null || first.equals(request); // null: it expired in between
        } catch (RuntimeException e) {
            log.warn("Signature store unavailable ({}); not checking whether a signature was used before", e.toString());
            return true;
        }
    }
}
