package com.wechathub.faults;

import com.wechathub.support.RedisKeys;
import com.wechathub.support.TestDatabase;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The fault tests' own corner of the shared servers: a database wechat_hub_faults (made fresh for
 * each test, its tables created by the hub's Flyway, dropped afterwards) and Redis keys under
 * wechat-dedupe-faults. The tests read them over direct connections, never through the fault
 * they inject.
 */
final class FaultSchema {

    static final String DATABASE = "wechat_hub_faults";
    static final String KEY_PREFIX = "wechat-dedupe-faults";

    private FaultSchema() {
    }

    /** The plain JDBC URL of the fault database on PostgreSQL at {@code port} (the server's, or a proxy's). */
    static String postgresUrl(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** A fresh, empty fault database on {@code database}'s server, and no dedupe keys left; returns a direct connection to it. */
    static JdbcTemplate fresh(TestDatabase database) {
        dropAll(database);
        database.recreate(DATABASE);
        return database.jdbc(DATABASE);
    }

    /** Drops the database and the dedupe keys the fault tests' hubs left. */
    static void dropAll(TestDatabase database) {
        database.drop(DATABASE);
        LettuceConnectionFactory factory = new LettuceConnectionFactory("127.0.0.1", 6379);
        factory.afterPropertiesSet();
        try {
            StringRedisTemplate redis = new StringRedisTemplate(factory);
            RedisKeys.delete(redis, KEY_PREFIX + ":*");
        } finally {
            factory.destroy();
        }
    }
}
