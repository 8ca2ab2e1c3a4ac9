package com.wechathub.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.PushClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What an operator sees: health of every server the hub needs, and the hub's own meters. */
class HealthAndMetricsTests extends HubIntegrationTest {

    @Test
    void healthCoversRedisTheDatabaseAndRabbitMq() {
        var health = client.get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"redis\":{\"status\":\"UP\"").contains("\"db\":{\"status\":\"UP\"")
                .contains("\"rabbit\":{\"status\":\"UP\"");
    }

    @Test
    void prometheusCountsPushesDuplicatesRejectionsDispatchAndTimesTheAnswer() {
        String push = Fixtures.push("event-click", openId, createTime);
        client.send(push);
        client.send(push);
        client.post("/wechat/demo?signature=bad&timestamp=" + PushClient.now() + "&nonce=1", push);
        await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(state.events(openId).get(0).get("status")));

        String metrics = client.get("/actuator/prometheus").body();
        assertThat(metrics)
                .containsPattern("wechat_pushes_total\\{account=\"demo\",event=\"CLICK\"[^}]*} [1-9]")
                .containsPattern("wechat_duplicates_total\\{account=\"demo\"[^}]*} [1-9]")
                .containsPattern("wechat_rejections_total\\{[^}]*reason=\"signature\"[^}]*} [1-9]")
                .containsPattern("wechat_dispatch_total\\{[^}]*event=\"CLICK\",[^}]*outcome=\"done\"[^}]*} [1-9]")
                .contains("wechat_push_answer_seconds_bucket");
    }
}
