package com.wechathub.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.InboxStall;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The database cannot record a push in time: the hub answers 503 inside WeChat's 5 s and
 * releases the dedupe key, so WeChat's retry of the very same push is taken.
 * The fault is real: a trigger makes PostgreSQL stall the first INSERT past the query timeout.
 */
class InboxFailureTests extends HubIntegrationTest {

    InboxStall stall;

    @BeforeEach
    void injectFault() {
        stall = InboxStall.firstInsertOf(jdbc, "ostall");
    }

    @AfterEach
    void removeFault() {
        stall.close();
    }

    @Test
    void aPushTheInboxCouldNotRecordIsRefusedThenTakenOnRetry() {
        String openId = "ostall" + UUID.randomUUID().toString().replace("-", "");
        String push = Fixtures.push("event-subscribe", openId, System.currentTimeMillis() / 1000);

        long start = System.nanoTime();
        HttpResponse<String> first = client.send(push);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(first.body()).contains("retry");
        assertThat(took).isLessThan(Duration.ofSeconds(5));
        assertThat(state.eventCount(openId)).isZero();

        HttpResponse<String> retry = client.send(push);
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).contains("Welcome!");
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }
}
