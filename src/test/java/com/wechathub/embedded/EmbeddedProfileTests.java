package com.wechathub.embedded;

import com.wechathub.support.IntegrationTier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.support.Fixtures;
import com.wechathub.support.PushClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * The embedded default profile a newcomer runs first: H2, in-process dedupe, the stand-in CRM
 * and the file outbox — the same routes, nothing else installed.
 */
@IntegrationTier
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:embedded-test;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
        "hub.dispatch.poll-interval=50",
})
class EmbeddedProfileTests {

    static final int PORT = freePort();
    static final int MANAGEMENT_PORT = freePort();
    static final Path OUTBOX = tempDir();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        registry.add("management.server.port", () -> MANAGEMENT_PORT);
        registry.add("hub.broker.uri", () -> "file:" + OUTBOX);
    }

    @AfterAll
    static void removeOutbox() throws IOException {
        FileSystemUtils.deleteRecursively(OUTBOX);
    }

    @Test
    void aPushIsAnsweredRecordedAndFannedOutToTheStandIns() throws IOException {
        PushClient client = PushClient.shippedDemo(PORT);
        String openId = "oEmbedded" + System.nanoTime();

        var answer = client.send(Fixtures.push("event-subscribe-scene", openId, System.currentTimeMillis() / 1000));

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("store poster");
        await().atMost(Duration.ofSeconds(10)).until(() -> client.get("/stand-in/crm/calls").body().contains(openId));
        assertThat(client.get("/stand-in/crm/calls").body()).contains("\"method\":\"PUT\"").contains("/bindings/demo/" + openId);
        await().atMost(Duration.ofSeconds(10)).until(() -> outboxFiles().stream().anyMatch(p -> p.toString().contains("demo.subscribe")));
        Path message = outboxFiles().stream().filter(p -> p.toString().contains("demo.subscribe")).findFirst().orElseThrow();
        assertThat(Files.readString(message)).contains(openId).contains("\"EventKey\":\"qrscene_123123\"");
        assertThat(new PushClient(MANAGEMENT_PORT).get("/actuator/health").statusCode()).isEqualTo(200);
    }

    @Test
    void withoutAnAdminTokenThereIsNoOperatorApiAndNoConsole() {
        PushClient client = PushClient.shippedDemo(PORT);
        for (String path : List.of("/admin/console", "/admin/console/console.js", "/admin/events?status=dead", "/admin/summary",
                "/admin/figures", "/admin/figures/last-hour", "/admin/routes", "/admin/events/some-id")) {
            var answer = client.get(path);
            assertThat(answer.statusCode()).as(path).isEqualTo(404);
            assertThat(answer.body()).as(path).contains("hub.admin.token");
        }
        assertThat(client.post("/admin/events/replay", "").statusCode()).isEqualTo(404);
    }

    /** docs/wechat.md with the stand-in WeChat API: user/info on a follow, a late reply as a customer-service message. */
    @Test
    void theStandInWechatApiGivesFollowerDetailsAndTakesLateReplies() throws IOException {
        PushClient client = PushClient.shippedDemo(PORT);
        String openId = "oEmbeddedApi" + System.nanoTime();
        long now = System.currentTimeMillis() / 1000;

        client.send(Fixtures.push("event-subscribe", openId, now));
        await().atMost(Duration.ofSeconds(10)).until(() -> client.get("/stand-in/crm/calls").body().contains(openId));
        assertThat(client.get("/stand-in/crm/calls").body()).contains("\\\"unionid\\\":\\\"stand-in-union-")
                .contains("\\\"subscribeScene\\\":\\\"ADD_SCENE_QR_CODE\\\"");

        // The stand-in CRM takes 6 s for this key, past the 4 s deadline.
        var answer = client.send(Fixtures.withEventKey(Fixtures.push("event-click", openId, now + 1), "V2005_MY_ORDER_SLOW"));
        assertThat(answer.body()).isEqualTo("success");
        await().atMost(Duration.ofSeconds(15)).until(() -> client.get("/stand-in/wechat/messages").body().contains("\"custom/send\""));
        assertThat(client.get("/stand-in/wechat/messages").body()).contains("\"touser\":\"" + openId + "\"")
                .contains("V2005_MY_ORDER_SLOW").contains("\"command\":\"Typing\"");

        // Its two messages in the outbox are this test's: gone, so other tests find only their own.
        await().atMost(Duration.ofSeconds(10)).until(() -> outboxFiles(openId).size() == 2);
        for (Path file : outboxFiles(openId)) {
            Files.delete(file);
        }
    }

    static List<Path> outboxFiles(String openId) throws IOException {
        List<Path> mine = new java.util.ArrayList<>();
        for (Path file : outboxFiles()) {
            if (Files.readString(file).contains(openId)) {
                mine.add(file);
            }
        }
        return mine;
    }

    static List<Path> outboxFiles() throws IOException {
        try (Stream<Path> files = Files.walk(OUTBOX)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path tempDir() {
        try {
            return Files.createTempDirectory("hub-outbox");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
