package com.wechathub.faults;

import java.sql.Driver;
import javax.sql.DataSource;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * The fault tests' own corner of the shared servers: PostgreSQL schema wechat_hub_faults (created
 * by the hub's Flyway, dropped afterwards) and Redis keys under wechat-dedupe-faults. The tests
 * read them over direct connections, never through the fault they inject.
 */
final class FaultSchema {

    static final String SCHEMA = "wechat_hub_faults";
    static final String KEY_PREFIX = "wechat-dedupe-faults";

    private FaultSchema() {
    }

    /** The JDBC URL of the schema on the server at {@code port} (PostgreSQL's, or a proxy's). */
    static String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?currentSchema=" + SCHEMA;
    }

    static JdbcTemplate directJdbc() {
        try {
            Driver driver = new org.postgresql.Driver();
            DataSource dataSource = new SimpleDriverDataSource(driver, url(5432), "postgres", "");
            return new JdbcTemplate(dataSource);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot reach PostgreSQL on 127.0.0.1:5432", e);
        }
    }

    /** Drops the schema and the dedupe keys the fault tests' hubs left. */
    static void dropAll(JdbcTemplate jdbc) {
        jdbc.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        LettuceConnectionFactory factory = new LettuceConnectionFactory("127.0.0.1", 6379);
        factory.afterPropertiesSet();
        try {
            StringRedisTemplate redis = new StringRedisTemplate(factory);
            var keys = redis.keys(KEY_PREFIX + ":*");
            if (keys != null && !keys.isEmpty()) {
                redis.delete(keys);
            }
        } finally {
            factory.destroy();
        }
    }
}
