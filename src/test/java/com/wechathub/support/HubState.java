package com.wechathub.support;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/** What the hub left in the database and Redis; tests read it and clean it up. */
public final class HubState {

    private final JdbcTemplate jdbc;
    private final StringRedisTemplate redis;

    public HubState(JdbcTemplate jdbc, StringRedisTemplate redis) {
        this.jdbc = jdbc;
        this.redis = redis;
    }

    public List<Map<String, Object>> events(String openId) {
        return jdbc.queryForList("SELECT * FROM wechat_event WHERE open_id = ? ORDER BY seq", openId);
    }

    public int eventCount(String openId) {
        return events(openId).size();
    }

    public Map<String, Object> follower(String openId) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM wechat_follower WHERE open_id = ?", openId);
        return rows.isEmpty() ? null : rows.get(0);
    }

    public void clear() {
        // A dispatcher of this or another cached test context may be writing outcomes meanwhile;
        // MariaDB then picks the DELETE as a deadlock's victim, and trying again succeeds.
        await().atMost(Duration.ofSeconds(10)).ignoreException(PessimisticLockingFailureException.class)
                .until(() -> {
                    jdbc.update("DELETE FROM wechat_event");
                    jdbc.update("DELETE FROM wechat_event_history");
                    jdbc.update("DELETE FROM wechat_follower");
                    return true;
                });
        if (redis != null) {
            // A cold JVM's first Redis connection can take longer than the prod profile's 500 ms on a
            // busy machine (whichever test class runs first meets it); once made, it is fast. A command
            // can also miss those 500 ms while the two cores are saturated; it is tried again.
            await().atMost(Duration.ofSeconds(30)).ignoreException(RedisConnectionFailureException.class)
                    .ignoreException(QueryTimeoutException.class)
                    .until(() -> {
                        clearRedis();
                        return true;
                    });
        }
    }

    private void clearRedis() {
        RedisKeys.delete(redis, "wechat-dedupe-test:*");
    }
}
