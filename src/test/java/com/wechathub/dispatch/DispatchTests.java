package com.wechathub.dispatch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.inbox.Inbox;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.ProdTestProperties;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;

/** The downstream contract (docs/wechat.md) against WireMock as the CRM and the real RabbitMQ and PostgreSQL. */
class DispatchTests extends HubIntegrationTest {

    @Autowired RabbitTemplate rabbit;
    @Autowired Inbox inbox;

    BrokerQueue broker;

    @BeforeEach
    void bindQueue() {
        broker = new BrokerQueue(rabbit, "demo.#");
    }

    @AfterEach
    void unbindQueue() {
        broker.close();
    }

    String eventId() {
        return (String) state.events(openId).get(0).get("id");
    }

    void awaitStatus(String status) {
        await().atMost(Duration.ofSeconds(10)).until(() -> status.equals(state.events(openId).get(0).get("status")));
    }

    // --- the seven event shapes -------------------------------------------------------------

    @Test
    void subscribeBindsInTheCrmUpsertsTheFollowerAndPublishes() {
        client.send(Fixtures.push("event-subscribe", openId, createTime));
        awaitStatus("done");
        String id = eventId();

        crm.verify(1, putRequestedFor(urlEqualTo("/bindings/demo/" + openId))
                .withHeader("Idempotency-Key", equalTo(id))
                .withHeader("Authorization", equalTo("Bearer crm-test-token"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withoutHeader("traceparent") // tracing is off by default: no trace context, none kept (TracingTests)
                .withRequestBody(equalToJson("{\"account\":\"demo\",\"openid\":\"" + openId + "\",\"subscribed\":true,"
                        + "\"at\":\"" + Instant.ofEpochSecond(createTime) + "\",\"scene\":null,\"ticket\":null}")));
        crm.verify(1, anyRequestedFor(anyUrl()));
        assertThat(state.events(openId).get(0)).containsEntry("traceparent", null);
        assertThat(state.follower(openId)).containsEntry("subscribed", true).containsEntry("scene", null);

        Message message = broker.await(openId, 1).get(0);
        assertThat(message.getMessageProperties().getReceivedRoutingKey()).isEqualTo("demo.subscribe");
        assertThat(message.getMessageProperties().getMessageId()).isEqualTo(id);
        assertThat(new String(message.getBody())).contains("\"id\":\"" + id + "\"").contains("\"account\":\"demo\"")
                .contains("\"receivedAt\":").contains("\"FromUserName\":\"" + openId + "\"").contains("\"Event\":\"subscribe\"");
        // The CRM call's own headers stay with the CRM: the CRM token above all, and its Idempotency-Key
        // (the message id already is the event id), so a message looks the same whether its event called the CRM or not.
        assertThat(message.getMessageProperties().getHeaders()).doesNotContainKeys("Authorization", "Idempotency-Key");
    }

    @Test
    void subscribeThroughASceneCarriesSceneAndTicket() {
        client.send(Fixtures.push("event-subscribe-scene", openId, createTime));
        awaitStatus("done");

        crm.verify(1, putRequestedFor(urlEqualTo("/bindings/demo/" + openId))
                .withRequestBody(equalToJson("{\"scene\":\"123123\"}", true, true))
                .withRequestBody(equalToJson("{\"ticket\":\"gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2taZ2Z3TVRtNzJXV1Brb3ZhYmJJAAIEZ23sUwMEmm3sUw==\"}", true, true)));
        assertThat(state.follower(openId)).containsEntry("scene", "123123");
        assertThat(broker.await(openId, 1).get(0).getMessageProperties().getReceivedRoutingKey()).isEqualTo("demo.subscribe");
    }

    @Test
    void unsubscribeUnbindsInTheCrm() {
        client.send(Fixtures.push("event-unsubscribe", openId, createTime));
        awaitStatus("done");

        crm.verify(1, deleteRequestedFor(urlEqualTo("/bindings/demo/" + openId)).withHeader("Idempotency-Key", equalTo(eventId())));
        Map<String, Object> follower = state.follower(openId);
        assertThat(follower).containsEntry("subscribed", false);
        assertThat(follower.get("unsubscribed_at")).isNotNull();
        assertThat(broker.await(openId, 1).get(0).getMessageProperties().getReceivedRoutingKey()).isEqualTo("demo.unsubscribe");
    }

    @Test
    void scanRecordsAnActivityAndTheLastScene() {
        client.send(Fixtures.push("event-scan", openId, createTime));
        awaitStatus("done");

        crm.verify(1, postRequestedFor(urlEqualTo("/activities")).withHeader("Idempotency-Key", equalTo(eventId()))
                .withRequestBody(equalToJson("{\"account\":\"demo\",\"openid\":\"" + openId + "\",\"type\":\"scan\",\"scene\":\"123123\","
                        + "\"ticket\":\"${json-unit.any-string}\",\"at\":\"" + Instant.ofEpochSecond(createTime) + "\"}")));
        assertThat(state.follower(openId)).containsEntry("last_scene", "123123");
        assertThat(broker.await(openId, 1).get(0).getMessageProperties().getReceivedRoutingKey()).isEqualTo("demo.scan");
    }

    @Test
    void locationUpdatesTheFollowerAndCallsNoCrm() {
        client.send(Fixtures.push("event-location", openId, createTime));
        awaitStatus("done");

        crm.verify(0, anyRequestedFor(anyUrl()));
        assertThat(state.follower(openId)).containsEntry("latitude", 23.137466).containsEntry("longitude", 113.352425)
                .containsEntry("precision", 119.38504);
        Message message = broker.await(openId, 1).get(0);
        assertThat(message.getMessageProperties().getReceivedRoutingKey()).isEqualTo("demo.location");
        assertThat(new String(message.getBody())).contains("\"Latitude\":23.137466");
    }

    @Test
    void clickAndViewArePublishedOnly() {
        client.send(Fixtures.push("event-click", openId, createTime));
        client.send(Fixtures.push("event-view", openId, createTime));

        List<Message> messages = broker.await(openId, 2);
        assertThat(messages).extracting(m -> m.getMessageProperties().getReceivedRoutingKey())
                .containsExactlyInAnyOrder("demo.click", "demo.view");
        await().atMost(Duration.ofSeconds(10)).until(() -> state.events(openId).stream().allMatch(r -> "done".equals(r.get("status"))));
        crm.verify(0, anyRequestedFor(anyUrl()));
        assertThat(state.follower(openId)).isNull();
    }

    @Test
    void ordinaryMessagesGoToTheUnhandledRouteAndArePublished() {
        client.send(Fixtures.push("message-text", openId, createTime));
        assertThat(broker.await(openId, 1).get(0).getMessageProperties().getReceivedRoutingKey()).isEqualTo("demo.message.text");
        awaitStatus("done");
    }

    // --- retries of the push -----------------------------------------------------------------

    @Test
    void aPushRetriedFiveTimesGivesOneCrmCallAndOneMessage() throws Exception {
        String push = Fixtures.push("event-subscribe", openId, createTime);
        for (int i = 0; i < 5; i++) {
            assertThat(client.send(push).statusCode()).isEqualTo(200);
        }
        String parallelOpenId = "p" + openId.substring(1); // not a prefix match of openId
        String parallel = Fixtures.push("event-subscribe", parallelOpenId, createTime);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            List<Callable<HttpResponse<String>>> sends = IntStream.range(0, 5)
                    .<Callable<HttpResponse<String>>>mapToObj(i -> () -> client.send(parallel)).toList();
            for (var answer : pool.invokeAll(sends)) {
                assertThat(answer.get().statusCode()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }

        broker.await(openId, 1);
        broker.await(parallelOpenId, 1);
        awaitStatus("done");
        assertThat(broker.drain(openId)).isEmpty();
        assertThat(broker.drain(parallelOpenId)).isEmpty();
        crm.verify(1, putRequestedFor(urlEqualTo("/bindings/demo/" + openId)));
        crm.verify(1, putRequestedFor(urlEqualTo("/bindings/demo/" + parallelOpenId)));
    }

    // --- CRM failures ------------------------------------------------------------------------

    @Test
    void aCrmFailingThreeTimesGetsTheEventLater() {
        crm.stubFor(any(urlMatching("/bindings/.*")).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(serverError()).willSetStateTo("failed-1"));
        crm.stubFor(any(urlMatching("/bindings/.*")).inScenario("flaky").whenScenarioStateIs("failed-1")
                .willReturn(serverError()).willSetStateTo("failed-2"));
        crm.stubFor(any(urlMatching("/bindings/.*")).inScenario("flaky").whenScenarioStateIs("failed-2")
                .willReturn(serverError()).willSetStateTo("recovered"));
        crm.stubFor(any(urlMatching("/bindings/.*")).inScenario("flaky").whenScenarioStateIs("recovered").willReturn(ok()));

        long start = System.nanoTime();
        HttpResponse<String> answer = client.send(Fixtures.push("event-subscribe", openId, createTime));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(answer.body()).contains("Welcome!");

        awaitStatus("done");
        crm.verify(4, putRequestedFor(urlEqualTo("/bindings/demo/" + openId)).withHeader("Idempotency-Key", equalTo(eventId())));
        assertThat(state.events(openId).get(0)).containsEntry("attempts", 4);
        assertThat(broker.await(openId, 1)).hasSize(1);
    }

    @Test
    void aCrmRefusingTheRequestMakesTheEventDeadAtOnceAndDoesNotOpenTheCircuit() {
        crm.stubFor(any(urlMatching("/bindings/.*")).willReturn(aResponse().withStatus(404).withBody("no such account")));
        // More refusals than the breaker's minimum-number-of-calls (10), all of them "failed":
        // counted, they would open the circuit for the next event.
        List<String> refused = IntStream.range(0, 12).mapToObj(i -> "r" + i + openId.substring(1)).toList();
        refused.forEach(f -> client.send(Fixtures.push("event-subscribe", f, createTime)));

        await().atMost(Duration.ofSeconds(10)).until(() -> refused.stream().allMatch(f ->
                "dead".equals(state.events(f).get(0).get("status"))));
        for (String follower : refused) {
            Map<String, Object> event = state.events(follower).get(0);
            assertThat(event).containsEntry("attempts", 1);
            assertThat((String) event.get("last_error")).contains("statusCode: 404").contains("no such account");
            crm.verify(1, putRequestedFor(urlEqualTo("/bindings/demo/" + follower)));
        }

        crm.resetAll();
        crm.stubFor(any(anyUrl()).willReturn(ok()));
        client.send(Fixtures.push("event-subscribe", openId, createTime));
        awaitStatus("done");
        assertThat(state.events(openId).get(0)).as("the circuit stayed closed").containsEntry("attempts", 1);
    }

    @Test
    void aCrmAnsweringTooManyRequestsIsAskedAgainLater() {
        crm.stubFor(any(urlMatching("/bindings/.*")).inScenario("busy").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429)).willSetStateTo("ready"));
        crm.stubFor(any(urlMatching("/bindings/.*")).inScenario("busy").whenScenarioStateIs("ready").willReturn(ok()));

        client.send(Fixtures.push("event-subscribe", openId, createTime));
        awaitStatus("done");
        assertThat(state.events(openId).get(0)).containsEntry("attempts", 2);
    }

    @Test
    void aCrmDownForGoodMakesTheEventDeadAndAnOperatorReplaysIt() {
        crm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(503)));

        client.send(Fixtures.push("event-unsubscribe", openId, createTime));
        awaitStatus("dead");
        String id = eventId();
        assertThat((String) state.events(openId).get(0).get("last_error")).contains("503");

        HttpResponse<String> dead = admin("GET", "/admin/events?status=dead", ProdTestProperties.ADMIN_TOKEN);
        assertThat(dead.statusCode()).isEqualTo(200);
        assertThat(dead.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(dead.body()).contains("\"id\":\"" + id + "\"").contains("\"status\":\"dead\"")
                .contains("\"openId\":\"" + openId + "\"").contains("\"lastError\":");

        crm.resetAll();
        crm.stubFor(any(anyUrl()).willReturn(ok()));
        HttpResponse<String> replay = admin("POST", "/admin/events/" + id + "/replay", ProdTestProperties.ADMIN_TOKEN);
        assertThat(replay.statusCode()).isEqualTo(202);

        awaitStatus("done");
        crm.verify(1, deleteRequestedFor(urlEqualTo("/bindings/demo/" + openId)).withHeader("Idempotency-Key", equalTo(id)));
    }

    @Test
    void aReplayedEventKeepsEachAttemptWithItsOutcomeAndErrorInItsHistory() throws Exception {
        // two failures retried, a refusal (dead at once); after the replay, the CRM takes it
        crm.stubFor(any(urlMatching("/bindings/.*")).inScenario("history").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(500).withBody("first failure")).willSetStateTo("failed-1"));
        crm.stubFor(any(urlMatching("/bindings/.*")).inScenario("history").whenScenarioStateIs("failed-1")
                .willReturn(aResponse().withStatus(502).withBody("second failure")).willSetStateTo("failed-2"));
        crm.stubFor(any(urlMatching("/bindings/.*")).inScenario("history").whenScenarioStateIs("failed-2")
                .willReturn(aResponse().withStatus(404).withBody("no such binding")).willSetStateTo("fixed"));
        crm.stubFor(any(urlMatching("/bindings/.*")).inScenario("history").whenScenarioStateIs("fixed").willReturn(ok()));

        client.send(Fixtures.push("event-unsubscribe", openId, createTime));
        awaitStatus("dead");
        String id = eventId();
        assertThat(admin("POST", "/admin/events/" + id + "/replay", ProdTestProperties.ADMIN_TOKEN).statusCode()).isEqualTo(202);
        awaitStatus("done");

        JsonNode shown = new ObjectMapper().readTree(admin("GET", "/admin/events/" + id, ProdTestProperties.ADMIN_TOKEN).body());
        assertThat(shown.path("event").path("attempts").asInt()).as("attempts since the replay").isEqualTo(1);
        assertThat(shown.path("event").path("totalAttempts").asInt()).isEqualTo(4);
        JsonNode history = shown.path("history");
        assertThat(history).extracting(row -> row.path("attempt").asInt() + " " + row.path("outcome").asText())
                .containsExactly("1 retry", "2 retry", "3 dead", "3 replayed", "4 done");
        assertThat(history.get(0).path("error").asText()).contains("500").contains("first failure");
        assertThat(history.get(1).path("error").asText()).contains("502").contains("second failure");
        assertThat(history.get(2).path("error").asText()).contains("404").contains("no such binding");
        assertThat(history.get(3).path("error").isNull()).isTrue();
        assertThat(history.get(3).path("replayedBy").asText()).isEqualTo("127.0.0.1");
        assertThat(history.get(3).path("forced").asBoolean()).isFalse();
        assertThat(history.get(3).path("bulk").asBoolean()).isFalse();
        assertThat(history.get(4).path("error").isNull()).isTrue();
        Instant previous = Instant.EPOCH;
        for (JsonNode row : history) {
            // a node id (name/start): any hub of this test run may have dispatched it, each context polls the schema
            assertThat(row.path("node").asText()).matches(".+/[0-9a-f-]{36}");
            Instant started = instant(row.path("startedAt"));
            Instant ended = instant(row.path("endedAt"));
            assertThat(started).isAfterOrEqualTo(previous).isBeforeOrEqualTo(ended);
            previous = ended;
        }
        assertThat(history.get(4).path("replayedBy").isNull()).isTrue();
    }

    static Instant instant(JsonNode time) {
        return OffsetDateTime.parse(time.asText()).toInstant();
    }

    @Test
    void theOperatorApiNeedsTheToken() {
        assertThat(admin("GET", "/admin/events?status=dead", null).statusCode()).isEqualTo(401);
        assertThat(admin("GET", "/admin/events?status=dead", "wrong-token").statusCode()).isEqualTo(401);
        assertThat(admin("POST", "/admin/events/abc/replay", null).statusCode()).isEqualTo(401);
        assertThat(admin("POST", "/admin/events/no-such-event/replay", ProdTestProperties.ADMIN_TOKEN).statusCode()).isEqualTo(404);
    }

    // --- order per follower ------------------------------------------------------------------

    @Test
    void aLaterUnsubscribeProcessedBeforeAnEarlierSubscribeEndsUnsubscribed() {
        client.send(Fixtures.push("event-unsubscribe", openId, createTime));
        await().atMost(Duration.ofSeconds(10)).until(() -> state.follower(openId) != null);
        client.send(Fixtures.push("event-subscribe", openId, createTime - 30));

        await().atMost(Duration.ofSeconds(10)).until(() -> state.events(openId).stream().allMatch(r -> "done".equals(r.get("status"))));
        assertThat(state.follower(openId)).containsEntry("subscribed", false);
        crm.verify(1, deleteRequestedFor(urlEqualTo("/bindings/demo/" + openId)));
        crm.verify(0, putRequestedFor(urlEqualTo("/bindings/demo/" + openId)));
    }

    // --- a node that died while holding an event -------------------------------------------

    @Test
    void anEventClaimedByANodeThatDiedIsTakenAgainAfterItsLease() {
        String id = "stranded" + openId.substring(1, 20);
        Instant now = Instant.now();
        jdbc.update("""
                INSERT INTO wechat_event (id, account, open_id, msg_type, event, create_time, fields, raw_xml, status,
                                          attempts, next_attempt_at, claimed_at, claimed_by, received_at)
                VALUES (?, 'demo', ?, 'event', 'CLICK', ?, ?, '<xml/>', 'claimed', 1, ?, ?, 'crashed-node', ?)""",
                id, openId, createTime, "{\"FromUserName\":\"" + openId + "\",\"Event\":\"CLICK\",\"EventKey\":\"K\"}",
                Timestamp.from(now), Timestamp.from(now.minus(Duration.ofHours(1))), Timestamp.from(now));

        awaitStatus("done");
        assertThat(state.events(openId).get(0)).containsEntry("attempts", 2);
        assertThat(broker.await(openId, 1).get(0).getMessageProperties().getMessageId()).isEqualTo(id);
    }

    HttpResponse<String> admin(String method, String path, String token) {
        return client.operator(method, path, token);
    }
}
