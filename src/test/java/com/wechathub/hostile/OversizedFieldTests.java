package com.wechathub.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.support.Fixtures;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A field longer than the column it goes into is refused 400 at the door, naming the field
 * (docs/security.md): it is never answered 200 and then dead after every retry of its dispatch. The widths are
 * WechatEvent's constants, which WechatEventWidthsTests checks against the migrations.
 */
class OversizedFieldTests extends HostileHubTest {

    @Test
    void aScanWhoseSceneIsWiderThanItsColumnIsRefused() {
        // EventKey may hold 2,048 characters, but a SCAN's EventKey is the scene: wechat_follower.last_scene, 128.
        String push = Fixtures.withEventKey(Fixtures.push("event-scan", openId, createTime), "s".repeat(2048));

        HttpResponse<String> response = client.send(push);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("EventKey (the scene) is longer than 128 characters");
        assertThat(state.eventCount(openId)).isZero();
    }

    @Test
    void aFollowThroughASceneWiderThanItsColumnIsRefused() {
        String push = Fixtures.withEventKey(Fixtures.push("event-subscribe-scene", openId, createTime), "qrscene_" + "s".repeat(129));

        HttpResponse<String> response = client.send(push);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("EventKey");
        assertThat(state.eventCount(openId)).isZero();
    }

    @Test
    void aSceneAsWideAsItsColumnIsTakenAndDispatched() {
        String scene = "s".repeat(128);
        String push = Fixtures.withEventKey(Fixtures.push("event-scan", openId, createTime), scene);

        assertThat(client.send(push).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(state.events(openId).get(0).get("status")));
        assertThat(state.follower(openId)).containsEntry("last_scene", scene);
    }

    @Test
    void aViewWithALongUrlStillFitsEventKey() {
        String push = Fixtures.withEventKey(Fixtures.push("event-view", openId, createTime), "https://example.com/" + "p".repeat(2000));

        assertThat(client.send(push).statusCode()).isEqualTo(200);
        assertThat(client.send(Fixtures.withEventKey(Fixtures.push("event-view", openId, createTime + 1), "x".repeat(2049))).body())
                .isEqualTo("EventKey is longer than 2048 characters");
    }
}
