package com.wechathub.reply;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.wechathub.support.ApiAccount;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * A late reply (docs/wechat.md, "Late replies") the node cannot queue (its late-reply threads are all busy) or whose
 * database write fails is retried or marked failed on its event, never silently gone. Database
 * faults are real: a PostgreSQL trigger raises once on one kind of UPDATE of the follower's row.
 */
class LateReplyFaultsTests extends HubIntegrationTest {

    /** A node that delivers one late reply at a time (hub.reply.max-late = 1). */
    static ConfigurableApplicationContext oneAtATime;

    @Autowired Environment suite;

    ConfigurableApplicationContext oneAtATime() {
        if (oneAtATime == null) {
            List<String> args = new ArrayList<>(ApiAccount.args());
            args.addAll(List.of("--wechat.api.base-url=" + wechat.baseUrl(),
                    "--hub.token.key-prefix=" + suite.getProperty("hub.token.key-prefix"),
                    "--hub.dispatch.enabled=false", "--hub.reply.lease=3s", "--hub.reply.poll-interval=500",
                    "--hub.reply.max-late=1", "--spring.datasource.hikari.maximum-pool-size=4"));
            oneAtATime = startSecondHub(suite, "one-late-reply", args.toArray(String[]::new));
        }
        return oneAtATime;
    }

    @AfterAll
    static void stopSecondNode() {
        if (oneAtATime != null) {
            oneAtATime.close();
            oneAtATime = null;
        }
    }

    @AfterEach
    void noTrigger() {
        jdbc.execute("DROP TRIGGER IF EXISTS test_refuse_reply ON wechat_event");
        jdbc.execute("DROP FUNCTION IF EXISTS test_refuse_reply()");
        jdbc.execute("DROP SEQUENCE IF EXISTS test_refuse_reply_once");
    }

    /** The database refuses, once, an UPDATE of {@code follower}'s event that matches {@code condition} (on OLD and NEW). */
    void refuseOnce(String follower, String condition) {
        jdbc.execute("CREATE SEQUENCE IF NOT EXISTS test_refuse_reply_once");
        jdbc.execute("""
                CREATE OR REPLACE FUNCTION test_refuse_reply() RETURNS trigger AS $$
                BEGIN
                  IF OLD.open_id = '%s' AND (%s) THEN
                    IF nextval('test_refuse_reply_once') = 1 THEN -- apart: SQL does not promise to evaluate AND in order
                      RAISE EXCEPTION 'test: the database refuses this reply update once';
                    END IF;
                  END IF;
                  RETURN NEW;
                END $$ LANGUAGE plpgsql""".formatted(follower, condition));
        jdbc.execute("CREATE TRIGGER test_refuse_reply BEFORE UPDATE ON wechat_event FOR EACH ROW EXECUTE FUNCTION test_refuse_reply()");
    }

    String click(String follower) {
        return Fixtures.withEventKey(Fixtures.push("event-click", follower, createTime), "K_CRM");
    }

    void crmAnswersLate(String follower, int millis) {
        crm.stubFor(get(urlEqualTo("/replies/" + follower + "/K_CRM")).willReturn(okJson("{\"text\":\"Late for " + follower + "\"}")
                .withFixedDelay(millis)));
    }

    List<LoggedRequest> sends(String follower) {
        return wechat.findAll(postRequestedFor(urlPathEqualTo("/cgi-bin/message/custom/send"))
                .withRequestBody(matchingJsonPath("$.touser", equalTo(follower))));
    }

    Map<String, Object> settled(String follower) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Object status = state.events(follower).get(0).get("reply_status");
            return status != null && !List.of("waiting", "sending").contains(status);
        });
        return state.events(follower).get(0);
    }

    @Test
    void aReplyWhoseClaimTheDatabaseRefusesOnceIsStillSentOnce() {
        crmAnswersLate(openId, 6_000);
        refuseOnce(openId, "OLD.reply_status IS NULL AND NEW.reply_status = 'waiting'");

        assertThat(ApiAccount.client(port).send(click(openId)).body()).isEqualTo("success");

        assertThat(settled(openId)).containsEntry("reply_status", "sent");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> sends(openId).size() == 1);
    }

    @Test
    void aReplyWhoseSendingMarkTheDatabaseRefusesOnceIsTakenOverAndSentOnce() {
        crmAnswersLate(openId, 5_000);
        refuseOnce(openId, "OLD.reply_status = 'waiting' AND NEW.reply_status = 'sending'");

        assertThat(ApiAccount.client(port).send(click(openId)).body()).isEqualTo("success");

        // Its claim lapses (hub.reply.lease) and a poll takes it over: the CRM is asked again, one message.
        assertThat(settled(openId)).containsEntry("reply_status", "sent");
        assertThat(crm.findAll(getRequestedFor(urlEqualTo("/replies/" + openId + "/K_CRM")))).hasSize(2);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> sends(openId).size() == 1);
    }

    @Test
    void aReplyTheNodeCannotQueueIsMarkedFailed() {
        String busy = openId + "b";
        crmAnswersLate(busy, 10_000);
        crmAnswersLate(openId, 6_000);
        int hub = port(oneAtATime());

        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> ApiAccount.client(hub).send(click(busy)).body());
        await().atMost(Duration.ofSeconds(10)).until(() -> state.eventCount(busy) == 1
                && "waiting".equals(state.events(busy).get(0).get("reply_status")));
        assertThat(first.join()).isEqualTo("success");
        assertThat(ApiAccount.client(hub).send(click(openId)).body()).isEqualTo("success");

        Map<String, Object> refused = settled(openId);
        assertThat(refused).containsEntry("reply_status", "failed");
        assertThat((String) refused.get("reply_error")).contains("too many late replies at once");
        assertThat(settled(busy)).containsEntry("reply_status", "sent");
        assertThat(sends(openId)).isEmpty();
    }

    @Test
    void aReplyTheNodeCanNeitherQueueNorRecordAtFirstIsMarkedFailed() {
        String busy = openId + "b";
        crmAnswersLate(busy, 10_000);
        crmAnswersLate(openId, 6_000);
        int hub = port(oneAtATime());

        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> ApiAccount.client(hub).send(click(busy)).body());
        await().atMost(Duration.ofSeconds(10)).until(() -> state.eventCount(busy) == 1
                && "waiting".equals(state.events(busy).get(0).get("reply_status")));
        assertThat(first.join()).isEqualTo("success");
        refuseOnce(openId, "OLD.reply_status IS NULL AND NEW.reply_status = 'waiting'");
        assertThat(ApiAccount.client(hub).send(click(openId)).body()).isEqualTo("success");

        Map<String, Object> refused = settled(openId);
        assertThat(refused).containsEntry("reply_status", "failed");
        assertThat((String) refused.get("reply_error")).contains("too many late replies at once");
        assertThat(sends(openId)).isEmpty();
    }
}
