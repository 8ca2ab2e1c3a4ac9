package com.wechathub.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.PushClient;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees on the management port: health of every server the hub needs and of the
 * inbox, readiness, and the hub's own meters. The callback port, which faces the internet, shows
 * none of it.
 */
class HealthAndMetricsTests extends HubIntegrationTest {

    @Test
    void healthCoversRedisTheDatabaseTheInboxAndRabbitMq() {
        var health = management.get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"redis\":{\"status\":\"UP\"").contains("\"db\":{\"status\":\"UP\"")
                .contains("\"inbox\":{\"status\":\"UP\"").contains("\"rabbit\":{\"status\":\"UP\"");
    }

    @Test
    void readinessIncludesTheInboxAndLivenessIsUp() {
        var readiness = management.get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"inbox\":{\"status\":\"UP\"");
        assertThat(management.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/actuator", "/actuator/health", "/actuator/health/readiness", "/actuator/metrics",
            "/actuator/prometheus", "/actuator/env"})
    void theCallbackPortServesNoActuator(String path) {
        var answer = client.get(path);
        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(answer.body()).doesNotContain("UP").doesNotContain("components").doesNotContain("wechat_");
    }

    @Test
    void prometheusCountsPushesDuplicatesRejectionsDispatchAndTimesTheAnswer() {
        String push = Fixtures.push("event-click", openId, createTime);
        client.send(push);
        client.send(push);
        client.post("/wechat/demo?signature=bad&timestamp=" + PushClient.now() + "&nonce=1", push);
        await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(state.events(openId).get(0).get("status")));

        String metrics = management.get("/actuator/prometheus").body();
        assertThat(metrics)
                .containsPattern("wechat_pushes_total\\{account=\"demo\",event=\"CLICK\"[^}]*} [1-9]")
                .containsPattern("wechat_duplicates_total\\{account=\"demo\"[^}]*} [1-9]")
                .containsPattern("wechat_rejections_total\\{[^}]*reason=\"signature\"[^}]*} [1-9]")
                .containsPattern("wechat_dispatch_total\\{[^}]*event=\"CLICK\",[^}]*outcome=\"done\"[^}]*} [1-9]")
                .contains("wechat_push_answer_seconds_bucket");
    }
}
