package com.wechathub.reply;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.wechathub.support.ApiAccount;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;

/**
 * Late replies on two nodes whose clocks differ (docs/wechat.md, "Late replies"): this test's hub, and a second one
 * whose JVM clock runs two minutes ahead (within the pushes' timestamp tolerance) ({@link SkewedClock}), both with hub.reply.lease = 3 s. Leases
 * are compared on the database's clock, so the fast node never takes over a live lease; a node
 * that lost its lease can neither send nor mark the reply sent.
 */
class LateReplyLeasesTests extends HubIntegrationTest {

    static ConfigurableApplicationContext ahead;

    @Autowired Environment suite;
    @Autowired MeterRegistry registry;

    /** A second node whose clock is two minutes ahead of the database's (and of this one's). */
    public static class SkewedClock {
        @Bean
        @Primary
        Clock skewedClock() {
            return Clock.offset(Clock.systemUTC(), Duration.ofMinutes(2));
        }
    }

    @BeforeEach
    void secondNode() {
        if (ahead == null) {
            List<String> args = new ArrayList<>(ApiAccount.args());
            args.addAll(List.of("--wechat.api.base-url=" + wechat.baseUrl(),
                    "--hub.token.key-prefix=" + suite.getProperty("hub.token.key-prefix"),
                    "--hub.dispatch.enabled=false", "--hub.reply.lease=3s", "--hub.reply.poll-interval=500",
                    "--spring.main.sources=" + SkewedClock.class.getName(), "--spring.datasource.hikari.maximum-pool-size=4"));
            ahead = startSecondHub(suite, "hub-ahead", args.toArray(String[]::new));
        }
    }

    @AfterEach
    void noTrigger() {
        jdbc.execute("DROP TRIGGER IF EXISTS test_freeze_lease ON wechat_event");
        jdbc.execute("DROP FUNCTION IF EXISTS test_freeze_lease()");
    }

    @AfterAll
    static void stopSecondNode() {
        if (ahead != null) {
            ahead.close();
            ahead = null;
        }
    }

    String click() {
        return Fixtures.withEventKey(Fixtures.push("event-click", openId, createTime), "K_CRM");
    }

    String crmPath() {
        return "/replies/" + openId + "/K_CRM";
    }

    List<LoggedRequest> sends() {
        return wechat.findAll(postRequestedFor(urlPathEqualTo("/cgi-bin/message/custom/send"))
                .withRequestBody(matchingJsonPath("$.touser", equalTo(openId))));
    }

    int crmAsked() {
        return crm.findAll(getRequestedFor(urlEqualTo(crmPath()))).size();
    }

    Map<String, Object> event() {
        return state.events(openId).get(0);
    }

    /** The push is answered "success" by the deadline, the reply taken by the node that answered it; returns that node. */
    String pushedTo(int hubPort) {
        assertThat(ApiAccount.client(hubPort).send(click()).body()).isEqualTo("success");
        assertThat(event()).containsEntry("reply_status", "waiting");
        return (String) event().get("reply_claimed_by");
    }

    /**
     * Makes {@code node} look stalled (a long GC pause, a partition): the database refuses its
     * renewals of the claim while the reply is in one of {@code statuses}, so its polls renew
     * nothing and take nothing over; its thread working on the reply goes on.
     */
    void freezeRenewalsOf(String node, String statuses) {
        jdbc.execute("""
                CREATE OR REPLACE FUNCTION test_freeze_lease() RETURNS trigger AS $$
                BEGIN
                  IF OLD.open_id = '%s' AND OLD.reply_claimed_by = '%s' AND NEW.reply_claimed_by = OLD.reply_claimed_by
                     AND NEW.reply_status = OLD.reply_status AND OLD.reply_status IN (%s) THEN
                    RAISE EXCEPTION 'test: node %% is stalled', OLD.reply_claimed_by;
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql""".formatted(openId, node, statuses));
        jdbc.execute("CREATE TRIGGER test_freeze_lease BEFORE UPDATE ON wechat_event FOR EACH ROW EXECUTE FUNCTION test_freeze_lease()");
    }

    @Test
    void aNodeWhoseClockIsAheadDoesNotTakeOverALiveLease() {
        crm.stubFor(get(urlEqualTo(crmPath())).willReturn(okJson("{\"text\":\"From the node that answered\"}").withFixedDelay(8_000)));

        String holder = pushedTo(port);

        // By its own clock the claim is two minutes old; by the database's it is renewed every 500 ms.
        await().atMost(Duration.ofSeconds(20)).until(() -> "sent".equals(event().get("reply_status")));
        assertThat(event().get("reply_claimed_by")).as("sent by the node that answered").isEqualTo(holder);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> sends().size() == 1);
        assertThat(crmAsked()).as("nobody took it over to ask the CRM again").isEqualTo(1);
    }

    @Test
    void aNodeWhoseClockIsAheadStillSendsItsOwnLateReply() {
        crm.stubFor(get(urlEqualTo(crmPath())).willReturn(okJson("{\"text\":\"From the node ahead\"}").withFixedDelay(6_000)));

        pushedTo(port(ahead));

        // Its window (45 s from the follower's click) is measured on the database's clock, not its own.
        await().atMost(Duration.ofSeconds(20)).until(() -> !List.of("waiting", "sending").contains(event().get("reply_status")));
        assertThat(event()).containsEntry("reply_status", "sent").containsEntry("reply_error", null);
        assertThat(sends()).hasSize(1);
    }

    @Test
    void aNodeThatLostItsLeaseWhileWaitingDoesNotSendAndTheNewHolderSendsOnce() {
        // The first node's request answers after 12 s; the node that takes over asks again and gets it after 8 s.
        crm.stubFor(get(urlEqualTo(crmPath())).inScenario("lease").whenScenarioStateIs(STARTED)
                .willReturn(okJson("{\"text\":\"Only once\"}").withFixedDelay(12_000)).willSetStateTo("asked"));
        crm.stubFor(get(urlEqualTo(crmPath())).inScenario("lease").whenScenarioStateIs("asked")
                .willReturn(okJson("{\"text\":\"Only once\"}").withFixedDelay(8_000)));

        String stalled = pushedTo(port);
        freezeRenewalsOf(stalled, "'waiting'");

        // hub.reply.lease after its last renewal the node ahead takes it over (and asks the CRM again) ...
        await().atMost(Duration.ofSeconds(10)).until(() -> !stalled.equals(event().get("reply_claimed_by")));
        String holder = (String) event().get("reply_claimed_by");
        // ... so the stalled node's answer (at 12 s) finds the reply no longer its own and sends nothing.
        await().atMost(Duration.ofSeconds(25)).until(() -> "sent".equals(event().get("reply_status")));
        assertThat(event().get("reply_claimed_by")).as("sent by the node holding the lease").isEqualTo(holder);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> sends().size() == 1);
        assertThat(crmAsked()).isEqualTo(2);
        // The message went out on the new holder's answer (8 s after it asked), not on the stalled node's (at 12 s).
        LoggedRequest askedAgain = crm.findAll(getRequestedFor(urlEqualTo(crmPath()))).get(1);
        assertThat(sends().get(0).getLoggedDate().getTime() - askedAgain.getLoggedDate().getTime()).isGreaterThanOrEqualTo(7_900L);
    }

    @Test
    void aNodeThatLostItsLeaseWhileSendingCannotMarkTheReplySent() {
        crm.stubFor(get(urlEqualTo(crmPath())).willReturn(okJson("{\"text\":\"Delivered, not known to whom\"}").withFixedDelay(5_000)));
        // WeChat takes 4.6 s to take the message (within its 5 s timeout): longer than the lease, during which the sender looks stalled.
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/message/custom/send")).withRequestBody(matchingJsonPath("$.touser", equalTo(openId)))
                .willReturn(okJson("{\"errcode\":0,\"errmsg\":\"ok\"}").withFixedDelay(4_600)));
        double sentBefore = late("sent");

        String stalled = pushedTo(port);
        freezeRenewalsOf(stalled, "'sending'");

        // Stranded while sending: the other node settles it as failed (a second message would be worse than none).
        await().atMost(Duration.ofSeconds(15)).until(() -> "failed".equals(event().get("reply_status")));
        assertThat((String) event().get("reply_error")).contains("not known whether WeChat delivered it");
        // WeChat then answers the stalled node, which counts it sent, but its UPDATE matches no row.
        await().atMost(Duration.ofSeconds(10)).until(() -> late("sent") - sentBefore == 1);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> "failed".equals(event().get("reply_status")));
        assertThat(sends()).hasSize(1);
    }

    double late(String outcome) {
        Counter counter = registry.find("wechat.late.replies").tag("account", "api").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }
}
