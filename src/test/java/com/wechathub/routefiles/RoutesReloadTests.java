package com.wechathub.routefiles;

import com.wechathub.support.IntegrationTier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.support.Fixtures;
import com.wechathub.support.PushClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Live reload of the routes folder over real HTTP, in the embedded default profile: edits apply,
 * broken edits are rejected while the running routes keep serving, and no push is dropped while
 * a route is swapped.
 */
@IntegrationTier
@AutoConfigureObservability // serve /actuator/prometheus as the real hub does
@DirtiesContext // its routes folder is gone after the class: stop watching it
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:reload;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
        "hub.dispatch.enabled=false",
        "hub.routes.reload.poll-interval=200ms",
        "hub.admin.token=" + RoutesReloadTests.ADMIN_TOKEN, // the console's routes view (GET /admin/routes)
})
class RoutesReloadTests {

    static final Duration RELOADED = Duration.ofSeconds(15);
    static final String ADMIN_TOKEN = "reload-admin-token";

    @TempDir static Path folder;

    @LocalServerPort int port;
    @LocalManagementPort int managementPort;
    @Autowired MeterRegistry registry;
    @Autowired JdbcTemplate jdbc;

    PushClient client;
    PushClient management;

    static Path routes() {
        return folder.resolve("routes");
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry properties) {
        properties.add("hub.routes.dir", () -> routes().toString());
        properties.add("hub.broker.uri", () -> "file:" + folder.resolve("outbox"));
    }

    @BeforeAll
    static void copyTheShippedRoutes() throws IOException {
        Files.createDirectories(routes());
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, routes().resolve(file.getFileName()));
            }
        }
    }

    @AfterAll
    static void removeTheProbe() throws IOException {
        Files.deleteIfExists(routes().resolve("probe.camel.yaml"));
    }

    @BeforeEach
    void client() {
        client = PushClient.shippedDemo(port); // the default profile's example account
        management = new PushClient(managementPort);
    }

    @Test
    void aRouteFileIsAddedChangedBrokenFixedAndDeletedWhileTheHubRuns() throws IOException {
        assertThat(client.get("/probe").statusCode()).isEqualTo(404);

        write("probe.camel.yaml", probe("first"));
        await().atMost(RELOADED).untilAsserted(() -> assertThat(answer("/probe")).isEqualTo("200 first"));
        assertThat(routesHealth().path("lastReload").asText()).isEqualTo("applied");

        write("probe.camel.yaml", probe("second"));
        await().atMost(RELOADED).untilAsserted(() -> assertThat(answer("/probe")).isEqualTo("200 second"));

        // An editor that truncates and then writes shows an empty file first: not an edit yet.
        double rejectedBefore = reloads("rejected");
        write("probe.camel.yaml", "");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> answer("/probe").equals("200 second") && reloads("rejected") == rejectedBefore);

        String broken = probe("third", """
                        - to:
                            id: probe-nowhere
                            uri: nosuchcomponent:foo
                """);
        write("probe.camel.yaml", broken);
        await().atMost(RELOADED).until(() -> reloads("rejected") == rejectedBefore + 1);
        assertThat(answer("/probe")).isEqualTo("200 second");
        HttpResponse<String> health = management.get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode routes = json(health.body()).path("components").path("routes");
        assertThat(routes.path("status").asText()).isEqualTo("UP");
        assertThat(routes.path("details").path("lastReload").asText()).isEqualTo("rejected");
        assertThat(routes.path("details").path("file").asText()).isEqualTo(routes().resolve("probe.camel.yaml").toString());
        assertThat(routes.path("details").path("line").asInt()).isEqualTo(lineOf(broken, "uri: nosuchcomponent:foo"));
        assertThat(routes.path("details").path("error").asText()).contains("nosuchcomponent");
        // the console shows the same, each problem as file:line, and the files still running
        JsonNode console = json(admin("/admin/routes"));
        assertThat(console.path("lastReload").path("lastReload").asText()).isEqualTo("rejected");
        assertThat(console.path("lastReload").path("problems").get(0).asText())
                .startsWith(routes().resolve("probe.camel.yaml") + ":" + lineOf(broken, "uri: nosuchcomponent:foo") + ": ")
                .contains("nosuchcomponent");
        assertThat(console.path("files").toString()).contains("\"file\":\"probe.camel.yaml\"").contains("\"id\":\"probe\"");

        double appliedBefore = reloads("applied");
        write("probe.camel.yaml", probe("fourth"));
        await().atMost(RELOADED).untilAsserted(() -> assertThat(answer("/probe")).isEqualTo("200 fourth"));
        assertThat(reloads("applied")).isEqualTo(appliedBefore + 1);
        assertThat(routesHealth().path("lastReload").asText()).isEqualTo("applied");
        assertThat(routesHealth().path("error").isMissingNode()).isTrue();

        Files.delete(routes().resolve("probe.camel.yaml"));
        await().atMost(RELOADED).untilAsserted(() -> assertThat(answer("/probe")).startsWith("404"));
        assertThat(management.get("/actuator/prometheus").body())
                .containsPattern("hub_routes_reloads_total\\{[^}]*outcome=\"applied\"[^}]*} [1-9]")
                .containsPattern("hub_routes_reloads_total\\{[^}]*outcome=\"rejected\"[^}]*} [1-9]");
    }

    @Test
    void aChangedRouteConfigurationRebuildsTheRoutesThatUseIt() throws IOException {
        write("probe-errors.camel.yaml", probeErrors("handled once"));
        write("probe.camel.yaml", """
                - route:
                    id: probe
                    routeConfigurationId: probe-errors
                    from:
                      id: probe-http
                      uri: platform-http:/probe
                      steps:
                        - throwException:
                            id: probe-fail
                            exceptionType: java.lang.IllegalStateException
                            message: probe
                """);
        await().atMost(RELOADED).untilAsserted(() -> assertThat(answer("/probe")).isEqualTo("200 handled once"));

        write("probe-errors.camel.yaml", probeErrors("handled twice"));
        await().atMost(RELOADED).untilAsserted(() -> assertThat(answer("/probe")).isEqualTo("200 handled twice"));

        Files.delete(routes().resolve("probe.camel.yaml"));
        Files.delete(routes().resolve("probe-errors.camel.yaml"));
        await().atMost(RELOADED).untilAsserted(() -> assertThat(answer("/probe")).startsWith("404"));
    }

    @Test
    void noPushIsDroppedWhileRoutesAreReplaced() throws Exception {
        Path reply = routes().resolve("wechat-reply.camel.yaml");
        String original = Files.readString(reply);
        String emptyAnswer = original.replace("constant: success", "constant: \"\"");
        assertThat(emptyAnswer).isNotEqualTo(original);
        // wechat-errors is the route configuration of the callback (platform-http), push and reply routes
        Path errors = routes().resolve("wechat-errors.camel.yaml");
        String errorsOriginal = Files.readString(errors);

        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicLong sequence = new AtomicLong();
        Queue<String> answers = new ConcurrentLinkedQueue<>();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService senders = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            running.add(senders.submit(() -> {
                while (sending.get()) {
                    String push = Fixtures.push("event-location", "oReload" + sequence.incrementAndGet(), System.currentTimeMillis() / 1000);
                    try {
                        HttpResponse<String> answer = client.send(push);
                        answers.add(answer.statusCode() + " " + answer.body());
                        if (answer.statusCode() != 200) {
                            failures.add(answer.statusCode() + " " + answer.body());
                        }
                    } catch (RuntimeException e) {
                        failures.add("no answer: " + e);
                    }
                }
            }));
        }
        try {
            await().atMost(RELOADED).until(() -> answers.contains("200 success"));
            for (int swap = 0; swap < 3; swap++) {
                answers.clear();
                Files.writeString(reply, emptyAnswer);
                await().atMost(RELOADED).until(() -> answers.contains("200 "));
                answers.clear();
                Files.writeString(reply, original);
                await().atMost(RELOADED).until(() -> answers.contains("200 success"));
            }
            for (String edit : List.of(errorsOriginal + "# touched\n", errorsOriginal)) {
                double applied = reloads("applied");
                Files.writeString(errors, edit);
                await().atMost(RELOADED).until(() -> reloads("applied") == applied + 1);
                answers.clear();
                await().atMost(RELOADED).until(() -> answers.contains("200 success"));
            }
        } finally {
            sending.set(false);
            for (Future<?> sender : running) {
                sender.get();
            }
            senders.shutdown();
            Files.writeString(reply, original);
            Files.writeString(errors, errorsOriginal);
        }
        assertThat(sequence.get()).isGreaterThan(20);
        assertThat(failures).isEmpty();
    }

    /**
     * This is the embedded profile's context with the operator API on, so the console's queries
     * are checked on H2 here (OperatorApiTests checks them on PostgreSQL): list with filters and a
     * cursor, one event, bulk replay's count, the summary and the figures.
     */
    @Test
    void theConsolesQueriesRunOnTheEmbeddedDatabase() {
        String openId = "oConsoleH2" + System.nanoTime();
        try {
            consoleQueries(openId);
        } finally {
            jdbc.update("DELETE FROM wechat_event WHERE open_id = ?", openId);
        }
    }

    void consoleQueries(String openId) {
        long createTime = System.currentTimeMillis() / 1000;
        assertThat(client.send(Fixtures.push("event-click", openId, createTime)).statusCode()).isEqualTo(200);
        assertThat(client.send(Fixtures.push("event-view", openId, createTime + 1)).statusCode()).isEqualTo(200);

        JsonNode page = json(admin("/admin/events?openId=" + openId + "&event=CLICK&status=pending&from=2020-01-01T00:00:00Z&limit=1"));
        assertThat(page).hasSize(1);
        String id = page.get(0).path("id").asText();
        assertThat(json(admin("/admin/events?openId=" + openId + "&limit=1&before=" + page.get(0).path("seq").asLong())))
                .isEmpty(); // the VIEW is newer
        assertThat(json(admin("/admin/events?openId=" + openId + "&limit=1")).get(0).path("event").asText()).isEqualTo("VIEW");
        JsonNode event = json(admin("/admin/events/" + id));
        assertThat(event.path("event").path("rawXml").asText()).contains("<EventKey><![CDATA[V1001_TODAY_MUSIC]]></EventKey>");
        assertThat(event.path("followerEvents")).hasSize(1);
        assertThat(json(admin("/admin/summary")).path("byEvent").path("CLICK").path("pending").asInt()).isPositive();
        assertThat(json(admin("/admin/figures")).path("backlog").asInt()).isPositive();
        HttpResponse<String> dryRun = client.exchange(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/admin/events/replay?dryRun=true&openId=" + openId))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(dryRun.body()).isEqualTo("{\"matching\":0}");
    }

    String admin(String path) {
        HttpResponse<String> answer = client.exchange(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).header("Authorization", "Bearer " + ADMIN_TOKEN).GET());
        assertThat(answer.statusCode()).as(path + ": " + answer.body()).isEqualTo(200);
        return answer.body();
    }

    static String probe(String answer) {
        return probe(answer, "");
    }

    /** A route answering a constant on /probe, with the given steps first. */
    static String probe(String answer, String firstSteps) {
        return """
                # A probe for the reload tests.
                - route:
                    id: probe
                    from:
                      id: probe-http
                      uri: platform-http:/probe
                      steps:
                %s        - setBody:
                            id: probe-answer
                            constant: %s
                """.formatted(firstSteps, answer);
    }

    static String probeErrors(String answer) {
        return """
                - routeConfiguration:
                    id: probe-errors
                    onException:
                      - onException:
                          id: probe-on-exception
                          exception:
                            - java.lang.Exception
                          handled:
                            constant: "true"
                          steps:
                            - setBody:
                                id: probe-handled
                                constant: %s
                """.formatted(answer);
    }

    static void write(String fileName, String text) throws IOException {
        Files.writeString(routes().resolve(fileName), text);
    }

    String answer(String path) {
        HttpResponse<String> response = client.get(path);
        return response.statusCode() + " " + response.body();
    }

    JsonNode routesHealth() {
        return json(management.get("/actuator/health").body()).path("components").path("routes").path("details");
    }

    double reloads(String outcome) {
        return registry.get("hub.routes.reloads").tag("outcome", outcome).counter().count();
    }

    static JsonNode json(String body) {
        try {
            return new ObjectMapper().readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int lineOf(String text, String needle) {
        return (int) text.substring(0, text.indexOf(needle)).chars().filter(c -> c == '\n').count() + 1;
    }
}
