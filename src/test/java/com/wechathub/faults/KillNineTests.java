package com.wechathub.faults;

import com.wechathub.support.IntegrationTier;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubProcess;
import com.wechathub.support.PushClient;
import com.wechathub.support.TestDatabase;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * kill -9 under load. A hub in its own JVM takes pushes from several threads and is SIGKILLed
 * mid-stream, with requests in flight and the dispatcher working. Restarted, it has every push
 * it answered 200 in its inbox and dispatches each to the CRM (Idempotency-Key = event id). Then
 * WeChat retries the pushes that got no answer, as it does: those are recorded too, and none
 * twice.
 */
@IntegrationTier
class KillNineTests {

    /** The database server the hubs run on; {@link MariaDbKillNineTests} runs the same on MariaDB. */
    TestDatabase database() {
        return TestDatabase.POSTGRES;
    }

    private static final int PUSHES = 300;
    private static final int THREADS = 6;
    private static final int KILL_AFTER = 100; // answered pushes

    private final WireMockServer crm = new WireMockServer(options().dynamicPort());
    private JdbcTemplate jdbc;

    @BeforeEach
    void start() {
        jdbc = FaultSchema.fresh(database());
        crm.start();
        crm.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok()));
    }

    @AfterEach
    void cleanUp() {
        crm.stop();
        FaultSchema.dropAll(database());
    }

    record Push(String openId, String pathAndQuery, String body) {
    }

    @Test
    void everyPushAnswered200SurvivesKillNineAndIsDispatched() throws Exception {
        List<Push> pushes = new ArrayList<>();
        long createTime = System.currentTimeMillis() / 1000;
        String run = UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < PUSHES; i++) {
            String openId = "okill" + run + "n" + i;
            pushes.add(new Push(openId, "/wechat/demo?" + PushClient.signedQuery(PushClient.now()) + "&openid=" + openId,
                    Fixtures.push("event-subscribe", openId, createTime)));
        }
        Set<String> answered200 = ConcurrentHashMap.newKeySet();
        Set<String> inFlightAtKill = ConcurrentHashMap.newKeySet();

        try (HubProcess first = HubProcess.start("kill-nine-hub-1", hubArgs())) {
            // A slowish disk (each INSERT takes 20 ms) and a small pool (hubArgs): most pushes in
            // flight at the kill hold their dedupe key and wait for a connection to record the row.
            database().slowInserts(jdbc, 20);
            PushClient client = new PushClient(first.port());
            AtomicInteger next = new AtomicInteger();
            AtomicInteger oks = new AtomicInteger();
            Set<String> inFlight = ConcurrentHashMap.newKeySet();
            ExecutorService threads = Executors.newFixedThreadPool(THREADS);
            for (int t = 0; t < THREADS; t++) {
                threads.submit(() -> {
                    for (int i = next.getAndIncrement(); i < PUSHES; i = next.getAndIncrement()) {
                        Push push = pushes.get(i);
                        inFlight.add(push.openId());
                        if (answer(client, push) == 200 && answered200.add(push.openId()) && oks.incrementAndGet() == KILL_AFTER) {
                            inFlightAtKill.addAll(inFlight);
                            first.kill(); // SIGKILL, from inside the load
                        }
                        inFlight.remove(push.openId());
                    }
                });
            }
            threads.shutdown();
            assertThat(threads.awaitTermination(60, TimeUnit.SECONDS)).as("all pushes sent").isTrue();
        }
        int answeredBeforeKill = answered200.size();
        System.out.printf("KillNineTests: %d of %d pushes answered 200 before and around kill -9, %d in flight at the kill%n",
                answeredBeforeKill, PUSHES, inFlightAtKill.size());
        assertThat(answeredBeforeKill).as("the kill came mid-load").isBetween(KILL_AFTER, PUSHES - 1);

        try (HubProcess second = HubProcess.start("kill-nine-hub-2", hubArgs())) {
            // Every push answered 200 was in the inbox before its answer: none is missing.
            Map<String, Long> rows = rowsByFollower();
            assertThat(answered200).as("pushes answered 200 but not in the inbox after the restart")
                    .allSatisfy(openId -> assertThat(rows).containsKey(openId));
            // And each is done within 15 s of the restart (docs/performance.md), also those the killed node
            // had claimed: its heartbeat stopped, so they are not left to the two-minute lease.
            long restartedAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM wechat_event WHERE status = 'done'", Integer.class) == rows.size());
            System.out.printf("KillNineTests: the %d events answered before the kill were done %d ms after the restart%n",
                    rows.size(), Duration.ofNanos(System.nanoTime() - restartedAt).toMillis());

            // WeChat sends each unanswered push again, three times in all.
            PushClient client = new PushClient(second.port());
            Map<String, Integer> retryAnswers = new java.util.TreeMap<>();
            for (Push push : pushes) {
                for (int attempt = 2; attempt <= 3 && !answered200.contains(push.openId()); attempt++) {
                    int status = answer(client, push);
                    retryAnswers.merge("attempt " + attempt + ": " + status, 1, Integer::sum);
                    if (status == 200) {
                        answered200.add(push.openId());
                    }
                }
            }
            System.out.println("KillNineTests: WeChat's retries were answered " + retryAnswers);
            assertThat(answered200).as("pushes answered 200 within WeChat's three attempts").hasSize(PUSHES);
            Map<String, Long> rowsAfterRetries = rowsByFollower();
            assertThat(answered200).as("pushes answered 200 but not in the inbox")
                    .allSatisfy(openId -> assertThat(rowsAfterRetries).containsKey(openId));

            // Each recorded once, and dispatched: done, and the CRM had it with its event id.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(jdbc.queryForObject("SELECT count(*) FROM wechat_event WHERE status = 'done'", Integer.class))
                            .isEqualTo(PUSHES));
            SoftAssertions softly = new SoftAssertions();
            softly.assertThat(rowsByFollower()).as("rows per follower").hasSize(PUSHES).allSatisfy((f, n) -> assertThat(n).isOne());
            Map<String, String> ids = jdbc.query("SELECT open_id, id FROM wechat_event", rs -> {
                Map<String, String> byFollower = new java.util.HashMap<>();
                while (rs.next()) {
                    byFollower.put(rs.getString(1), rs.getString(2));
                }
                return byFollower;
            });
            Map<String, List<LoggedRequest>> calls = crm.findAll(putRequestedFor(urlPathMatching("/bindings/demo/.*")))
                    .stream().collect(Collectors.groupingBy(r -> r.getUrl().substring("/bindings/demo/".length())));
            for (Push push : pushes) {
                String id = ids.get(push.openId());
                softly.assertThat(calls.getOrDefault(push.openId(), List.of())).as("CRM calls for %s", push.openId())
                        .isNotEmpty().allSatisfy(call -> assertThat(call.getHeader("Idempotency-Key")).isEqualTo(id));
            }
            softly.assertAll();
        }
    }

    private List<String> hubArgs() {
        List<String> args = new ArrayList<>(database().hubArgs(FaultSchema.DATABASE));
        args.addAll(List.of("--spring.profiles.active=prod", "--hub.dedupe.key-prefix=" + FaultSchema.KEY_PREFIX,
                "--hub.crm.base-url=" + crm.baseUrl(), "--hub.dispatch.poll-interval=100",
                "--hub.dispatch.backoff=200ms", "--hub.dispatch.max-backoff=1s",
                // the default lease (2 min) and node timeout (10 s): what an operator runs
                "--spring.datasource.hikari.maximum-pool-size=3",
                "--camel.main.name=kill-nine-hub"));
        return args;
    }

    /** The push's HTTP status, or -1 when there was no answer (the connection broke or was refused). */
    private static int answer(PushClient client, Push push) {
        try {
            HttpResponse<String> response = client.post(push.pathAndQuery(), push.body());
            return response.statusCode();
        } catch (UncheckedIOException e) {
            return -1;
        }
    }

    private Map<String, Long> rowsByFollower() {
        return jdbc.query("SELECT open_id, count(*) FROM wechat_event GROUP BY open_id", rs -> {
            Map<String, Long> rows = new java.util.HashMap<>();
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getLong(2));
            }
            return rows;
        });
    }
}
