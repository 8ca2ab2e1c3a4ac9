package com.wechathub.reply;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A cancelled late reply (docs/wechat.md, "Late replies") aborts its CRM request: the CRM hangs far longer than the
 * test, the reply is cancelled when its deadline passes, and the request is gone within a second —
 * not held until hub.reply.max-wait (45 s, the request's timeout) with its thread and pooled connection.
 */
class CancelledReplyTests extends HubIntegrationTest {

    @Autowired MeterRegistry registry;

    double requestsOut() {
        Gauge gauge = registry.find("wechat.crm.reply.requests").gauge();
        return gauge == null ? -1 : gauge.value();
    }

    @Test
    void aCancelledReplyClosesItsCrmRequestAtOnce() {
        // Account demo has crm: menu replies but, in prod, no app-secret: a reply not ready by the
        // deadline cannot be sent later, so it is cancelled there and then.
        crm.stubFor(get(urlEqualTo("/replies/" + openId + "/V2005_MY_ORDER_SLOW"))
                .willReturn(okJson("{\"text\":\"never wanted\"}").withFixedDelay(60_000)));
        await().atMost(Duration.ofSeconds(10)).until(() -> requestsOut() == 0); // nothing left from an earlier test

        String clicked = Fixtures.withEventKey(Fixtures.push("event-click", openId, createTime), "V2005_MY_ORDER_SLOW");
        assertThat(client.send(clicked).body()).isEqualTo("success");
        await().atMost(Duration.ofSeconds(5)).until(() -> "failed".equals(state.events(openId).get(0).get("reply_status")));
        long cancelledAt = System.nanoTime();

        await().atMost(Duration.ofMillis(1_500)).until(() -> requestsOut() == 0);
        assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt)).isLessThan(Duration.ofMillis(1_500));
    }
}
