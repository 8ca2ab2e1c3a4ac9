package com.wechathub.wechat.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Tokens in Redis, one key per AppID ({@code <prefix>:<appid>}, expiring when the token should no
 * longer be used), the token-request lock ({@code :lock}, SET NX PX), the force_refresh gate and
 * day count ({@code :force}, {@code :force:<day>}) and notes ({@code :note:<name>}) beside it.
 * Replacing a token and releasing the lock compare and set in one Lua script, so a node never
 * overwrites a token, or frees a lock, that another node has put there since.
 */
final class RedisTokenStore implements TokenStore {

    private static final RedisScript<Long> DELETE_IF_EQUALS = new DefaultRedisScript<>(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", Long.class);
    private static final RedisScript<String> REPLACE = new DefaultRedisScript<>("""
            local kept = redis.call('get', KEYS[1])
            if kept == false or kept == ARGV[1] then
              redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3])
              return ARGV[2]
            end
            return kept""", String.class);
    private static final RedisScript<Long> FORCE_REFRESH = new DefaultRedisScript<>("""
            if tonumber(redis.call('get', KEYS[2]) or '0') >= tonumber(ARGV[2]) then return -1 end
            if not redis.call('set', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
            if redis.call('incr', KEYS[2]) == 1 then redis.call('expire', KEYS[2], 172800) end
            return 1""", Long.class);

    private final StringRedisTemplate redis;
    private final String prefix;

    RedisTokenStore(StringRedisTemplate redis, String prefix) {
        this.redis = redis;
        this.prefix = prefix;
    }

    @Override
    public Optional<String> get(String appId) {
        return Optional.ofNullable(redis.opsForValue().get(key(appId)));
    }

    @Override
    public Optional<Duration> remaining(String appId) {
        Long millis = redis.getExpire(key(appId), TimeUnit.MILLISECONDS);
        return millis == null || millis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
    }

    @Override
    public String replace(String appId, String expected, String token, Duration ttl) {
        return redis.execute(REPLACE, List.of(key(appId)), expected == null ? "" : expected, token, String.valueOf(ttl.toMillis()));
    }

    @Override
    public void drop(String appId, String expected) {
        redis.execute(DELETE_IF_EQUALS, List.of(key(appId)), expected);
    }

    @Override
    public boolean tryLock(String appId, String owner, Duration ttl) {
        return Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(key(appId) + ":lock", owner, ttl));
    }

    @Override
    public void unlock(String appId, String owner) {
        redis.execute(DELETE_IF_EQUALS, List.of(key(appId) + ":lock"), owner);
    }

    @Override
    public ForceRefresh tryForceRefresh(String appId, Duration spacing, int perDay, String day) {
        Long outcome = redis.execute(FORCE_REFRESH, List.of(key(appId) + ":force", key(appId) + ":force:" + day),
                String.valueOf(spacing.toMillis()), String.valueOf(perDay));
        return outcome == null || outcome == 0 ? ForceRefresh.TOO_SOON : outcome < 0 ? ForceRefresh.DAILY_LIMIT : ForceRefresh.GRANTED;
    }

    @Override
    public void putNote(String appId, String name, String value, Duration ttl) {
        redis.opsForValue().set(key(appId) + ":note:" + name, value, ttl);
    }

    @Override
    public Optional<String> note(String appId, String name) {
        return Optional.ofNullable(redis.opsForValue().get(key(appId) + ":note:" + name));
    }

    private String key(String appId) {
        return prefix + ":" + appId;
    }
}
