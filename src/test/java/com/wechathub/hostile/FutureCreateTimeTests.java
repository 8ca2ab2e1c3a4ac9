package com.wechathub.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.support.Fixtures;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * A CreateTime further ahead of the hub's clock than the timestamp window (300 s) is 400: follower
 * state converges on the latest CreateTime, so one push from the future would freeze it (docs/security.md).
 * Old CreateTimes stay accepted: WeChat's retries and late deliveries.
 */
class FutureCreateTimeTests extends HostileHubTest {

    @Test
    void aCreateTimeBeyondTheWindowIsRefusedAndRecordsNothing() {
        long future = System.currentTimeMillis() / 1000 + 300 + 120;

        HttpResponse<String> response = client.send(Fixtures.push("event-unsubscribe", openId, future));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("CreateTime is in the future");
        assertThat(state.eventCount(openId)).isZero();
    }

    @Test
    void aCreateTimeFarInTheFutureIsRefused() {
        HttpResponse<String> response = client.send(Fixtures.push("event-subscribe", openId, 4_102_444_800L)); // 2100

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(state.eventCount(openId)).isZero();
    }

    @Test
    void aCreateTimeWithinTheWindowOrInThePastIsTaken() {
        long now = System.currentTimeMillis() / 1000;

        assertThat(client.send(Fixtures.push("event-click", openId, now + 200)).statusCode()).isEqualTo(200);
        assertThat(client.send(Fixtures.push("event-click", openId, now - 86_400)).statusCode()).isEqualTo(200);
        assertThat(state.eventCount(openId)).isEqualTo(2);
    }
}
