package com.wechathub.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.support.Fixtures;
import com.wechathub.support.HubState;
import com.wechathub.support.PrivateRedis;
import com.wechathub.support.ProdTestProperties;
import com.wechathub.support.PushClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Redis goes away: pushes are still answered and still deduplicated, by the inbox's unique id. */
@ProdTestProperties
@DirtiesContext // its Redis is gone after the class: no other suite can share this hub
class RedisDownTests {

    static final PrivateRedis redis = PrivateRedis.start();

    @DynamicPropertySource
    static void redisOnItsOwnPort(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.port", redis::port);
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @LocalServerPort int port;
    @LocalManagementPort int managementPort;
    @Autowired JdbcTemplate jdbc;

    @Test
    void pushesAreAnsweredAndDeduplicatedWhileRedisIsDown() {
        PushClient client = new PushClient(port);
        HubState state = new HubState(jdbc, null);
        String openId = "oredis" + UUID.randomUUID().toString().replace("-", "");
        long createTime = System.currentTimeMillis() / 1000;
        String before = Fixtures.push("event-subscribe", openId, createTime);
        String during = Fixtures.push("event-location", openId, createTime);
        try {
            assertThat(client.send(before).statusCode()).isEqualTo(200);

            redis.stop();

            long start = System.nanoTime();
            HttpResponse<String> retried = client.send(before);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(retried.statusCode()).isEqualTo(200);
            assertThat(retried.body()).contains("Welcome!");
            for (int i = 0; i < 3; i++) {
                assertThat(client.send(during).statusCode()).isEqualTo(200);
            }
            assertThat(state.eventCount(openId)).isEqualTo(2);

            HttpResponse<String> health = new PushClient(managementPort).get("/actuator/health");
            assertThat(health.body()).containsPattern("\"redis\":\\{\"status\":\"DOWN\"");
        } finally {
            jdbc.update("DELETE FROM wechat_event WHERE open_id = ?", openId);
        }
    }
}
