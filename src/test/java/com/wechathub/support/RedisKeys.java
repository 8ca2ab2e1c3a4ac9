package com.wechathub.support;

import java.util.HashSet;
import java.util.Set;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The keys under a test's prefix, found with SCAN: KEYS walks the whole database in one command,
 * and with the few hundred thousand keys a bench run leaves (they expire after 10 minutes) it takes
 * longer than the prod profile's 500 ms Redis timeout.
 */
public final class RedisKeys {

    private RedisKeys() {
    }

    public static Set<String> matching(StringRedisTemplate redis, String pattern) {
        Set<String> keys = new HashSet<>();
        try (Cursor<String> cursor = redis.scan(ScanOptions.scanOptions().match(pattern).count(1000).build())) {
            cursor.forEachRemaining(keys::add);
        }
        return keys;
    }

    public static void delete(StringRedisTemplate redis, String pattern) {
        Set<String> keys = matching(redis, pattern);
        if (!keys.isEmpty()) {
            redis.delete(keys);
        }
    }
}
