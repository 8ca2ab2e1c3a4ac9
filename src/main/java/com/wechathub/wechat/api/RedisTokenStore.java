package com.wechathub.wechat.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Tokens in Redis, one key per account ({@code <prefix>:<account>}, expiring when the token should
 * no longer be used), and the token-request lock beside it ({@code <prefix>:<account>:lock},
 * SET NX PX). Dropping a token and releasing the lock compare and delete in one Lua script, so a
 * node never drops a token, or frees a lock, that another node has put there since.
 */
final class RedisTokenStore implements TokenStore {

    private static final RedisScript<Long> DELETE_IF_EQUALS = new DefaultRedisScript<>(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", Long.class);

    private final StringRedisTemplate redis;
    private final String prefix;

    RedisTokenStore(StringRedisTemplate redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    @Override
    public Optional<String> get(String account) {
        return Optional.ofNullable(redis.opsForValue().get(key(account)));
    }

    @Override
    public Optional<Duration> remaining(String account) {
        Long millis = redis.getExpire(key(account), TimeUnit.MILLISECONDS);
        return millis == null || millis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
    }

    @Override
    public void put(String account, String token, Duration ttl) {
        redis.opsForValue().set(key(account), token, ttl);
    }

    @Override
    public boolean deleteIfEquals(String account, String token) {
        Long deleted = redis.execute(DELETE_IF_EQUALS, List.of(key(account)), token);
        return deleted != null && deleted > 0;
    }

    @Override
    public boolean tryLock(String account, String owner, Duration ttl) {
        return Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(lock(account), owner, ttl));
    }

    @Override
    public void unlock(String account, String owner) {
        redis.execute(DELETE_IF_EQUALS, List.of(lock(account)), owner);
    }

    private String key(String account) {
        return prefix + ":" + account;
    }

    private String lock(String account) {
        return prefix + ":" + account + ":lock";
    }
}
