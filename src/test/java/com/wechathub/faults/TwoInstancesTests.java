package com.wechathub.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.wechathub.HubApplication;
import com.wechathub.support.Fixtures;
import com.wechathub.support.InboxStall;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.ProdTestProperties;
import com.wechathub.support.PushClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AnonymousQueue;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two hubs behind one callback URL, sharing Redis and PostgreSQL, get the same push at the same
 * moment (as when a load balancer sends WeChat's retry to the other node while the first is
 * still busy). Each event is recorded once, sent to the CRM once and published once, and
 * neither hub says 200 for an event that is not yet in the inbox.
 */
class TwoInstancesTests extends HubIntegrationTest {

    private static final int EVENTS = 30;

    static ConfigurableApplicationContext second;
    static PushClient secondClient;

    @Autowired RabbitTemplate rabbit;

    @BeforeAll
    static void startSecondHub() {
        second = new SpringApplicationBuilder(HubApplication.class).profiles("prod")
                .run("--server.port=0", "--spring.datasource.url=" + ProdTestProperties.DATABASE_URL,
                        "--spring.flyway.schemas=wechat_hub_test", "--hub.dedupe.key-prefix=wechat-dedupe-test",
                        "--hub.crm.base-url=" + crm.baseUrl(), "--hub.crm.token=crm-test-token",
                        "--hub.dispatch.poll-interval=50", "--spring.jmx.enabled=false", "--camel.main.name=second-hub");
        secondClient = new PushClient(((WebServerApplicationContext) second).getWebServer().getPort());
    }

    @AfterAll
    static void stopSecondHub() {
        if (second != null) {
            second.close();
        }
    }

    @Test
    void theSamePushAtBothHubsAtOnceIsRecordedSentAndPublishedOnce() throws Exception {
        RabbitAdmin admin = new RabbitAdmin(rabbit.getConnectionFactory());
        Queue queue = new AnonymousQueue();
        admin.declareQueue(queue);
        admin.declareBinding(BindingBuilder.bind(queue).to(new TopicExchange("wechat.events")).with("demo.subscribe"));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            PushClient[] hubs = {client, secondClient};
            List<String> followers = new ArrayList<>();
            SoftAssertions softly = new SoftAssertions();
            Map<String, Integer> rowsWhenAnswered = new ConcurrentHashMap<>();

            for (int i = 0; i < EVENTS; i++) {
                String follower = "o2i" + i + openId.substring(1, 20);
                followers.add(follower);
                // One request, byte for byte, to both hubs: WeChat's retry repeats the original.
                String query = "/wechat/demo?" + PushClient.signedQuery(PushClient.now()) + "&openid=" + follower;
                String push = Fixtures.push("event-subscribe", follower, createTime);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (PushClient hub : hubs) {
                    answers.add(threads.submit(() -> {
                        start.await();
                        HttpResponse<String> answer = hub.post(query, push);
                        if (answer.statusCode() == 200) {
                            rowsWhenAnswered.merge(follower, state.eventCount(follower) == 1 ? 0 : 1, Integer::sum);
                        }
                        return answer;
                    }));
                }
                start.countDown();
                for (Future<HttpResponse<String>> answer : answers) {
                    HttpResponse<String> response = answer.get(10, TimeUnit.SECONDS);
                    softly.assertThat(response.statusCode()).as("answer to %s", follower).isEqualTo(200);
                    softly.assertThat(response.body()).as("answer to %s", follower).contains("Welcome!");
                }
            }
            softly.assertThat(rowsWhenAnswered).as("200s given before the event was in the inbox, by follower")
                    .allSatisfy((follower, premature) -> assertThat(premature).as(follower).isZero());

            await().atMost(Duration.ofSeconds(30)).until(() -> followers.stream()
                    .allMatch(f -> state.events(f).size() == 1 && "done".equals(state.events(f).get(0).get("status"))));
            List<Message> published = new ArrayList<>();
            for (Message m = rabbit.receive(queue.getName()); m != null; m = rabbit.receive(queue.getName())) {
                published.add(m);
            }
            for (String follower : followers) {
                List<Map<String, Object>> rows = state.events(follower);
                softly.assertThat(rows).as("inbox rows of %s", follower).hasSize(1);
                String eventId = (String) rows.get(0).get("id");
                List<LoggedRequest> calls = crm.findAll(putRequestedFor(urlEqualTo("/bindings/demo/" + follower)));
                softly.assertThat(calls).as("CRM calls for %s", follower).hasSize(1)
                        .allSatisfy(call -> assertThat(call.getHeader("Idempotency-Key")).isEqualTo(eventId));
                softly.assertThat(published.stream().filter(m -> eventId.equals(m.getMessageProperties().getMessageId())))
                        .as("messages for %s", follower).hasSize(1);
            }
            softly.assertAll();
        } finally {
            threads.shutdownNow();
            admin.deleteQueue(queue.getName());
        }
    }

    /**
     * The original's INSERT stalls past the query timeout and fails (503, key released) while its
     * twin reaches the other hub. Had the twin been answered 200 on the strength of the dedupe key
     * alone, WeChat would never send the event again and it would be lost.
     */
    @Test
    void aTwinIsNotAcknowledgedWhileItsOriginalFails() throws Exception {
        InboxStall stall = InboxStall.firstInsertOf(jdbc, "otwinstall");
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            String follower = "otwinstall" + openId.substring(1, 20);
            String query = "/wechat/demo?" + PushClient.signedQuery(PushClient.now()) + "&openid=" + follower;
            String push = Fixtures.push("event-subscribe", follower, createTime);

            Future<HttpResponse<String>> original = thread.submit(() -> client.post(query, push));
            await().atMost(Duration.ofSeconds(5)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query LIKE 'INSERT INTO wechat_event%'",
                    Integer.class) > 0);
            long start = System.nanoTime();
            HttpResponse<String> twin = secondClient.post(query, push);
            Duration twinTook = Duration.ofNanos(System.nanoTime() - start);
            HttpResponse<String> first = original.get(10, TimeUnit.SECONDS);

            assertThat(first.statusCode()).as("the stalled original").isEqualTo(503);
            assertThat(twinTook).as("the twin's answer time").isLessThan(Duration.ofSeconds(5));
            assertThat(twin.statusCode() == 200 && state.eventCount(follower) == 0)
                    .as("twin answered %d '%s', event in the inbox: %d", twin.statusCode(), twin.body(), state.eventCount(follower))
                    .isFalse();

            HttpResponse<String> retry = client.post(query, push);
            assertThat(retry.statusCode()).isEqualTo(200);
            assertThat(retry.body()).contains("Welcome!");
            assertThat(state.eventCount(follower)).isEqualTo(1);
        } finally {
            thread.shutdownNow();
            stall.close();
        }
    }
}
