package com.wechathub.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.support.Fixtures;
import com.wechathub.support.HubProcess;
import com.wechathub.support.ProdTestProperties;
import com.wechathub.support.PushClient;
import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Bodies are capped as they are read (docs/security.md): a body without a declared length (chunked) is
 * refused 413 once hub.push.max-body bytes have come, on /wechat/* and /admin/* alike, and one
 * that trickles in is cut off after hub.push.body-timeout, while valid pushes keep being answered.
 */
class ChunkedBodyTests extends HostileHubTest {

    private static final int CAP = 64 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aChunkedBodyOverTheCapIsRefusedOnceTheCapIsRead() throws Exception {
        RawUpload.Answer answer = RawUpload.post(port, signedPath(), 8L << 20, 8192, Duration.ZERO, WAIT);

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.reason()).isEqualTo("body is larger than " + CAP + " bytes");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM wechat_event", Integer.class)).isZero();
    }

    @Test
    void aChunkedPushJustUnderTheCapIsAccepted() {
        String push = Fixtures.push("event-click", openId, createTime);
        String filler = "A".repeat(CAP - 32 - push.getBytes(StandardCharsets.UTF_8).length);
        byte[] body = push.replace("<xml>", "<xml><Junk>" + filler + "</Junk>").getBytes(StandardCharsets.UTF_8);
        assertThat(body.length).isBetween(CAP - 64, CAP);

        HttpResponse<String> response = client.exchange(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + signedPath()))
                .header("Content-Type", "text/xml")
                // no declared length: sent chunked
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }

    @Test
    void operatorApiBodiesAreCappedToo() throws Exception {
        RawUpload.Answer answer = RawUpload.post(port, "/admin/events", 4L << 20, 8192, Duration.ZERO, WAIT);

        assertThat(answer.status()).isEqualTo(413);
    }

    @Test
    void aTricklingBodyIsCutOffWhileValidPushesAreAnswered() throws Exception {
        // Not measured: the first push of a fresh context (first connections to Redis and the database).
        assertThat(client.send(Fixtures.push("event-view", openId, createTime)).statusCode()).isEqualTo(200);
        ExecutorService tricklers = Executors.newFixedThreadPool(5);
        try {
            List<Future<RawUpload.Answer>> slow = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                // 10 bytes every 300 ms: 60 s for a push-sized body, unless the hub cuts it off
                slow.add(tricklers.submit(() -> RawUpload.post(port, signedPath(), 2_000, 10, Duration.ofMillis(300), WAIT)));
            }
            // 10 bytes, then silence: Tomcat's connection-timeout (5 s) ends the wait for the next, and
            // once more the wait for the rest after the answer (measured: 10 s in all)
            Future<RawUpload.Answer> stalled = tricklers.submit(() -> RawUpload.post(port, signedPath(), 20, 10, Duration.ofSeconds(60), WAIT));
            long start = System.nanoTime();
            HttpResponse<String> valid = client.send(Fixtures.push("event-click", openId, createTime));
            assertThat(valid.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

            for (Future<RawUpload.Answer> future : slow) {
                RawUpload.Answer answer = future.get();
                assertThat(answer.status()).as(answer.reason()).isEqualTo(408);
                assertThat(answer.after()).isLessThan(Duration.ofSeconds(BODY_TIMEOUT_SECONDS + 3));
            }
            assertThat(stalled.get().status()).isEqualTo(408);
            assertThat(stalled.get().after()).isLessThan(Duration.ofSeconds(2 * 5 + 3));
        } finally {
            tricklers.shutdownNow();
        }
    }

    /**
     * 16 bodies of 32 MiB at once, chunked, against a hub with a 384 MB heap (HubProcess): read
     * whole they would not fit. Each is refused 413, the hub stays alive, and valid pushes sent
     * meanwhile are each answered within WeChat's 5 s.
     */
    @Test
    void manyHugeChunkedBodiesLeaveTheHubAnsweringValidPushes() throws Exception {
        try (HubProcess hub = HubProcess.start("chunked-bodies-hub", List.of("--spring.profiles.active=prod",
                "--spring.datasource.url=" + ProdTestProperties.DATABASE_URL,
                "--hub.database.schema=" + Objects.requireNonNullElse(System.getenv("HUB_TEST_SCHEMA"), ""),
                "--hub.dedupe.key-prefix=" + keyPrefix(), "--hub.crm.base-url=" + crm.baseUrl(),
                "--hub.dispatch.enabled=false", "--camel.main.name=chunked-bodies-hub"))) {
            // The hub's first push (a cold JVM) is not what this measures.
            assertThat(new PushClient(hub.port()).send(Fixtures.push("event-view", openId, createTime - 1)).statusCode()).isEqualTo(200);
            ExecutorService senders = Executors.newFixedThreadPool(17);
            try {
                AtomicBoolean flooding = new AtomicBoolean(true);
                List<String> validAnswers = new CopyOnWriteArrayList<>();
                Future<?> valid = senders.submit(() -> {
                    PushClient pushes = new PushClient(hub.port());
                    for (int i = 0; flooding.get() || i < 3; i++) {
                        long start = System.nanoTime();
                        int status;
                        try {
                            status = pushes.send(Fixtures.push("event-click", openId, createTime + i)).statusCode();
                        } catch (UncheckedIOException e) {
                            status = -1;
                        }
                        validAnswers.add(status + " in " + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
                    }
                    return null;
                });
                List<Future<RawUpload.Answer>> huge = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    huge.add(senders.submit(() -> RawUpload.post(hub.port(), signedPath(), 32L << 20, 64 * 1024, Duration.ZERO, WAIT)));
                }
                for (Future<RawUpload.Answer> future : huge) {
                    assertThat(future.get().status()).isEqualTo(413);
                }
                flooding.set(false);
                valid.get();

                assertThat(validAnswers).isNotEmpty().allSatisfy(answer -> {
                    assertThat(answer).startsWith("200 in ");
                    assertThat(Long.parseLong(answer.replaceAll("\\D+", " ").trim().split(" ")[1])).isLessThan(5000);
                });
                assertThat(new PushClient(hub.port()).send(Fixtures.push("event-view", openId, createTime)).statusCode()).isEqualTo(200);
                assertThat(hub.log()).doesNotContain("OutOfMemoryError");
            } finally {
                senders.shutdownNow();
            }
        }
    }

    private static String signedPath() {
        return "/wechat/demo?" + PushClient.signedQuery(PushClient.now()) + "&openid=o";
    }
}
