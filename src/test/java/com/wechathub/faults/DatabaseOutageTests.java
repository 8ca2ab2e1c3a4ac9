package com.wechathub.faults;

import com.wechathub.support.IntegrationTier;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.wechathub.HubApplication;
import com.wechathub.support.DemoAccount;
import com.wechathub.support.FaultProxy;
import com.wechathub.support.Fixtures;
import com.wechathub.support.PushClient;
import com.wechathub.support.TestDatabase;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * PostgreSQL becomes unreachable under a running hub, through a {@link FaultProxy} between the
 * two: a partition (connections accepted, then silence) and an outage (connections reset). A
 * push the inbox cannot record is answered 503 with a short reason inside WeChat's 5 s, its
 * dedupe key is released, and once the database is back WeChat's retry of the very same request
 * is answered 200 and recorded exactly once.
 */
@IntegrationTier
class DatabaseOutageTests {

    private static final Duration WECHAT_BUDGET = Duration.ofSeconds(5);

    static WireMockServer crm;
    static FaultProxy proxy;
    static ConfigurableApplicationContext hub;
    static PushClient client;
    static JdbcTemplate jdbc;

    @BeforeAll
    static void startHubBehindProxy() {
        jdbc = FaultSchema.fresh(TestDatabase.POSTGRES);
        crm = new WireMockServer(options().dynamicPort());
        crm.start();
        crm.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok()));
        proxy = FaultProxy.start("127.0.0.1", 5432);
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--management.server.port=0",
                "--spring.datasource.url=" + FaultSchema.postgresUrl(proxy.port()),
                "--hub.dedupe.key-prefix=" + FaultSchema.KEY_PREFIX,
                "--hub.crm.base-url=" + crm.baseUrl(), "--hub.dispatch.poll-interval=50",
                "--spring.jmx.enabled=false", "--camel.main.name=db-outage-hub"));
        args.addAll(DemoAccount.args());
        hub = new SpringApplicationBuilder(HubApplication.class).profiles("prod").run(args.toArray(String[]::new));
        client = new PushClient(((WebServerApplicationContext) hub).getWebServer().getPort());
    }

    @AfterAll
    static void stopEverything() {
        if (hub != null) {
            hub.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (crm != null) {
            crm.stop();
        }
        FaultSchema.dropAll(TestDatabase.POSTGRES);
    }

    @AfterEach
    void heal() {
        proxy.heal();
    }

    @Test
    void partitionedDatabaseIsA503InsideTheBudgetAndTheSameRetryIsRecordedOnce() throws Exception {
        // Right after traffic, so some pooled connections are fresh enough that the pool hands
        // them out without checking them, and others are checked.
        List<Request> pushes = pushes(8);
        awaitHubRecording();

        proxy.blackhole();
        List<Answer> during = sendAll(pushes);
        proxy.heal();

        expectRefusedInTime(during);
        expectRetriesRecordedOnce(pushes);
    }

    @Test
    void downDatabaseIsA503InsideTheBudgetAndTheSameRetryIsRecordedOnce() throws Exception {
        List<Request> pushes = pushes(4);
        awaitHubRecording();

        proxy.refuse();
        List<Answer> during = sendAll(pushes);
        proxy.heal();

        expectRefusedInTime(during);
        expectRetriesRecordedOnce(pushes);
    }

    // --- helpers ----------------------------------------------------------------------------

    /** One request exactly as WeChat sends it, and as it sends it again when it gets no 200. */
    record Request(String openId, String pathAndQuery, String body) {
    }

    record Answer(Request request, int status, String body, Duration took) {
    }

    private static List<Request> pushes(int count) {
        List<Request> pushes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String openId = follower();
            String query = "/wechat/" + PushClient.ACCOUNT + "?" + PushClient.signedQuery(PushClient.now()) + "&openid=" + openId;
            pushes.add(new Request(openId, query, Fixtures.push("event-subscribe", openId, now())));
        }
        return pushes;
    }

    /** Sends the pushes at once, as WeChat does for several followers, and times each answer. */
    private static List<Answer> sendAll(List<Request> pushes) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(pushes.size());
        try {
            List<Future<Answer>> answers = new ArrayList<>();
            for (Request push : pushes) {
                answers.add(threads.submit(() -> send(push)));
            }
            List<Answer> result = new ArrayList<>();
            for (Future<Answer> answer : answers) {
                result.add(answer.get());
            }
            return result;
        } finally {
            threads.shutdownNow();
        }
    }

    private static Answer send(Request push) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = client.post(push.pathAndQuery(), push.body());
            return new Answer(push, response.statusCode(), response.body(), Duration.ofNanos(System.nanoTime() - start));
        } catch (UncheckedIOException e) { // no answer at all within the client's 10 s
            return new Answer(push, -1, e.getCause().toString(), Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private static void expectRefusedInTime(List<Answer> answers) {
        SoftAssertions softly = new SoftAssertions();
        for (Answer answer : answers) {
            String what = "push of " + answer.request().openId() + " answered " + answer.status() + " '" + answer.body()
                    + "' after " + answer.took().toMillis() + " ms";
            System.out.println("DatabaseOutageTests: " + what);
            softly.assertThat(answer.status()).as(what).isEqualTo(503);
            softly.assertThat(answer.took()).as(what).isLessThan(WECHAT_BUDGET);
            softly.assertThat(answer.body()).as(what).isEqualTo("inbox unavailable, retry later");
        }
        softly.assertAll();
    }

    /**
     * The hub records pushes again (after a previous outage its pool may still hold connections the
     * outage killed; each failed use evicts one).
     */
    private static void awaitHubRecording() {
        Awaitility.await().atMost(Duration.ofSeconds(15))
                .until(() -> client.send(Fixtures.push("event-click", follower(), now())).statusCode() == 200);
    }

    /**
     * WeChat sends a push three times in all while it gets no 200. Right after the database comes
     * back, the first retry may still meet a pooled connection the outage killed (503, evicted);
     * within WeChat's attempts the same request must be taken, and recorded once.
     */
    private static void expectRetriesRecordedOnce(List<Request> pushes) {
        SoftAssertions softly = new SoftAssertions();
        for (Request push : pushes) {
            Answer retry = send(push);
            for (int attempt = 2; attempt <= 3 && retry.status() == 503; attempt++) {
                softly.assertThat(retry.took()).as("503 for " + push.openId() + " inside the budget").isLessThan(WECHAT_BUDGET);
                retry = send(push);
            }
            String what = "retry of " + push.openId() + " answered " + retry.status() + " after " + retry.took().toMillis() + " ms";
            softly.assertThat(retry.status()).as(what).isEqualTo(200);
            softly.assertThat(retry.body()).as(what).contains("Welcome!");
            softly.assertThat(retry.took()).as(what).isLessThan(WECHAT_BUDGET);
            softly.assertThat(jdbc.queryForObject("SELECT count(*) FROM wechat_event WHERE open_id = ?", Integer.class,
                    push.openId())).as("rows for " + push.openId()).isEqualTo(1);
        }
        softly.assertAll();
    }

    private static String follower() {
        return "odb" + UUID.randomUUID().toString().replace("-", "");
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
