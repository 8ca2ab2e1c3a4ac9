package com.wechathub.dispatch;

import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.ProdTestProperties;
import com.wechathub.support.PushClient;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.wechathub.inbox.Inbox;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.NotifyBuilder;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * Two hubs on one database: every event is claimed, and so sent downstream, exactly once; each
 * node dispatches what it recorded without a poll; and a follower's later event recorded on the
 * other node waits for the earlier one.
 */
class TwoDispatchersTests extends HubIntegrationTest {

    @Autowired RabbitTemplate rabbit;
    @Autowired Environment environment;
    @Autowired Inbox inbox;

    static final int CRM_DELAY_MS = 500;

    @Test
    void eachEventIsProcessedOnceWithTwoDispatchers() {
        try (ConfigurableApplicationContext second = startSecondHub(environment, "second-hub",
                "--hub.dispatch.poll-interval=50", "--hub.dispatch.batch-size=5");
             BrokerQueue broker = new BrokerQueue(rabbit, "demo.subscribe")) {
            // A slow CRM and small batches keep both dispatchers busy at once; wait for the second's first poll.
            crm.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok().withFixedDelay(30)));
            NotifyBuilder secondPolled = new NotifyBuilder(second.getBean(CamelContext.class)).fromRoute("wechat-dispatch").whenDone(1).create();
            assertThat(secondPolled.matches(10, TimeUnit.SECONDS)).isTrue();
            PushClient secondClient = new PushClient(port(second));
            List<String> followers = IntStream.range(0, 40).mapToObj(i -> "t" + i + openId.substring(1)).toList();

            for (int i = 0; i < followers.size(); i++) {
                String push = Fixtures.push("event-subscribe", followers.get(i), createTime);
                (i % 2 == 0 ? client : secondClient).send(push);
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> followers.stream().allMatch(f ->
                    state.events(f).stream().allMatch(r -> "done".equals(r.get("status")))));
            for (String follower : followers) {
                crm.verify(1, putRequestedFor(urlEqualTo("/bindings/demo/" + follower)));
                assertThat(broker.drain(follower)).as("messages for %s", follower).hasSize(1);
            }
            // Other cached test contexts in this JVM may claim from the same inbox too: both of these must have.
            assertThat(jdbc.queryForList("SELECT DISTINCT claimed_by FROM wechat_event", String.class)).as("both hubs took part")
                    .contains(inbox.node(), second.getBean(Inbox.class).node());
        }
    }

    @Test
    void eachNodeDispatchesTheEventsItRecordedWithoutWaitingForAPoll() {
        // The second hub polls every 30 s: only the hand-off from its recording gets its events done in time.
        try (ConfigurableApplicationContext second = startSecondHub(environment, "home-hub",
                "--hub.dispatch.poll-interval=30s", "--hub.dispatch.batch-size=50")) {
            PushClient secondClient = new PushClient(port(second));
            List<String> followers = IntStream.range(0, 10).mapToObj(i -> "h" + i + openId.substring(1)).toList();
            for (int i = 0; i < followers.size(); i++) {
                String push = Fixtures.push("event-subscribe", followers.get(i), createTime);
                assertThat((i % 2 == 0 ? client : secondClient).send(push).statusCode()).isEqualTo(200);
            }

            await().atMost(Duration.ofSeconds(10)).until(() -> followers.stream().allMatch(f ->
                    state.events(f).stream().allMatch(r -> "done".equals(r.get("status")))));
            String[] nodes = {inbox.node(), second.getBean(Inbox.class).node()};
            for (int i = 0; i < followers.size(); i++) {
                assertThat(state.events(followers.get(i)).get(0))
                        .as("the event of %s, recorded by hub %d", followers.get(i), i % 2)
                        .containsEntry("claimed_by", nodes[i % 2]).containsEntry("attempts", 1);
            }
        }
    }

    @Test
    void aReplayOfOneEventOrInBulkWakesTheDispatcherOfTheNodeThatMadeIt() throws Exception {
        // two events dead at once (the CRM refuses them), dispatched by this suite's hub
        crm.stubFor(WireMock.any(WireMock.urlPathMatching("/bindings/.*")).willReturn(WireMock.notFound()));
        String inBulk = "b" + openId.substring(1);
        String alone = "a" + openId.substring(1);
        client.send(Fixtures.push("event-unsubscribe", inBulk, createTime));
        client.send(Fixtures.push("event-unsubscribe", alone, createTime));
        await().atMost(Duration.ofSeconds(10)).until(() -> "dead".equals(state.events(inBulk).get(0).get("status"))
                && "dead".equals(state.events(alone).get(0).get("status")));
        crm.resetAll();
        crm.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok()));

        // The second hub polls every 30 s once it has made its first poll, and this one stops
        // dispatching: only the replay's wake-up gets the events done in time.
        try (ConfigurableApplicationContext second = startSecondHub(environment, "replay-hub",
                "--hub.dispatch.poll-interval=30s", "--hub.admin.token=" + ProdTestProperties.ADMIN_TOKEN)) {
            NotifyBuilder polled = new NotifyBuilder(second.getBean(CamelContext.class)).fromRoute("wechat-dispatch").whenDone(1).create();
            assertThat(polled.matches(10, TimeUnit.SECONDS)).isTrue();
            camelContext.getRouteController().stopRoute("wechat-dispatch");
            try {
                PushClient operator = new PushClient(port(second));
                HttpResponse<String> bulk = operator.operator("POST", "/admin/events/replay?openId=" + inBulk, ProdTestProperties.ADMIN_TOKEN);
                assertThat(bulk.statusCode()).as(bulk.body()).isEqualTo(202);
                await().atMost(Duration.ofSeconds(5)).until(() -> "done".equals(state.events(inBulk).get(0).get("status")));

                String id = (String) state.events(alone).get(0).get("id");
                assertThat(operator.operator("POST", "/admin/events/" + id + "/replay", ProdTestProperties.ADMIN_TOKEN).statusCode()).isEqualTo(202);
                await().atMost(Duration.ofSeconds(5)).until(() -> "done".equals(state.events(alone).get(0).get("status")));

                // Run alone, only the second hub can have taken them (its wake-up did); in the full
                // suite another cached test context polling the same schema may have been first.
                for (String follower : List.of(inBulk, alone)) {
                    Object event = state.events(follower).get(0).get("id");
                    assertThat((String) state.events(follower).get(0).get("claimed_by")).matches(".+/[0-9a-f-]{36}");
                    assertThat(jdbc.queryForList("SELECT outcome, bulk FROM wechat_event_history WHERE event_id = ? ORDER BY seq", event))
                            .extracting(row -> row.get("outcome") + " " + row.get("bulk"))
                            .containsExactly("dead false", "replayed " + follower.equals(inBulk), "done false");
                }
            } finally {
                camelContext.getRouteController().startRoute("wechat-dispatch");
            }
        }
    }

    @Test
    void aFollowersLaterEventRecordedOnTheOtherNodeWaitsUntilTheEarlierOneIsDone() {
        try (ConfigurableApplicationContext second = startSecondHub(environment, "order-hub", "--hub.dispatch.poll-interval=50")) {
            crm.stubFor(WireMock.put(WireMock.urlPathMatching("/bindings/.*")).willReturn(WireMock.ok().withFixedDelay(CRM_DELAY_MS)));
            crm.stubFor(WireMock.delete(WireMock.urlPathMatching("/bindings/.*")).willReturn(WireMock.ok()));
            PushClient secondClient = new PushClient(port(second));
            List<String> followers = IntStream.range(0, 5).mapToObj(i -> "w" + i + openId.substring(1)).toList();
            for (String follower : followers) {
                // The subscribe is in the inbox (answered) and is being dispatched by this hub when
                // the unsubscribe, one second later, reaches the other.
                assertThat(client.send(Fixtures.push("event-subscribe", follower, createTime)).statusCode()).isEqualTo(200);
                assertThat(secondClient.send(Fixtures.push("event-unsubscribe", follower, createTime + 1)).statusCode()).isEqualTo(200);
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> followers.stream().allMatch(f ->
                    state.events(f).size() == 2 && state.events(f).stream().allMatch(r -> "done".equals(r.get("status")))));
            for (String follower : followers) {
                List<LoggedRequest> calls = crm.findAll(WireMock.anyRequestedFor(urlEqualTo("/bindings/demo/" + follower)));
                assertThat(calls).extracting(call -> call.getMethod().getName()).containsExactlyInAnyOrder("PUT", "DELETE");
                LoggedRequest bind = calls.stream().filter(call -> call.getMethod().getName().equals("PUT")).findFirst().orElseThrow();
                LoggedRequest unbind = calls.stream().filter(call -> call.getMethod().getName().equals("DELETE")).findFirst().orElseThrow();
                assertThat(unbind.getLoggedDate().getTime() - bind.getLoggedDate().getTime())
                        .as("%s: the unsubscribe reached the CRM after the subscribe's call had finished", follower)
                        .isGreaterThanOrEqualTo(CRM_DELAY_MS);
            }
        }
    }
}
