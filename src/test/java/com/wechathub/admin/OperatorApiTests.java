package com.wechathub.admin;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.ProdTestProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcUtils;

/**
 * The operator API the console is built on (docs/wechat.md), over real HTTP against the real
 * PostgreSQL, Redis and RabbitMQ, with WireMock as the CRM: filters, keyset paging, one event with
 * its follower, single and bulk replay, the summary, live figures, routes, and the token.
 */
class OperatorApiTests extends HubIntegrationTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = ProdTestProperties.ADMIN_TOKEN;

    @Autowired MeterRegistry registry;

    // --- the list: filters and paging ---------------------------------------------------------

    @Test
    void eachFilterNarrowsTheListNewestFirst() throws IOException {
        Instant now = Instant.now();
        String a = insert("a", "demo", openId, "CLICK", "dead", now.minus(Duration.ofHours(3)));
        String b = insert("b", "demo", openId, "SCAN", "done", now.minus(Duration.ofHours(2)));
        String c = insert("c", "other", openId, "CLICK", "dead", now.minus(Duration.ofHours(1)));
        String d = insert("d", "demo", "oSomeoneElse" + createTime, "CLICK", "done", now.minus(Duration.ofMinutes(30)));
        String e = insert("e", "demo", openId, null, "done", now.minus(Duration.ofMinutes(10))); // a text message

        assertThat(ids("")).containsExactly(e, d, c, b, a);
        assertThat(ids("status=dead")).containsExactly(c, a);
        assertThat(ids("account=other")).containsExactly(c);
        assertThat(ids("event=CLICK")).containsExactly(d, c, a);
        assertThat(ids("event=message:text")).containsExactly(e);
        assertThat(ids("openId=" + openId)).containsExactly(e, c, b, a);
        assertThat(ids("from=" + now.minus(Duration.ofMinutes(150)) + "&to=" + now.minus(Duration.ofMinutes(20))))
                .containsExactly(d, c, b);
        assertThat(ids("status=done&account=demo&event=CLICK")).containsExactly(d);
        assertThat(ids("status=pending")).isEmpty();

        JsonNode first = json(get("/admin/events?event=SCAN", TOKEN).body()).get(0);
        assertThat(first.path("id").asText()).isEqualTo(b);
        assertThat(first.path("openId").asText()).isEqualTo(openId);
        assertThat(first.path("status").asText()).isEqualTo("done");
        assertThat(first.path("seq").isNumber()).isTrue();
        assertThat(first.has("receivedAt")).isTrue();
    }

    @Test
    void pagesFollowTheCursorUntilTheLastAndStayInOrder() throws IOException {
        List<String> inserted = new ArrayList<>();
        Instant start = Instant.now().minus(Duration.ofHours(1));
        for (int i = 0; i < 25; i++) {
            inserted.add(0, insert("p" + i, "demo", openId, "CLICK", "done", start.plusSeconds(i)));
        }
        List<String> seen = new ArrayList<>();
        String query = "/admin/events?openId=" + openId + "&limit=10";
        List<Integer> pageSizes = new ArrayList<>();
        while (query != null) {
            HttpResponse<String> page = get(query, TOKEN);
            assertThat(page.statusCode()).isEqualTo(200);
            JsonNode rows = json(page.body());
            pageSizes.add(rows.size());
            rows.forEach(row -> seen.add(row.path("id").asText()));
            var cursor = page.headers().firstValue("X-Next-Cursor");
            var link = page.headers().firstValue("Link");
            assertThat(cursor.isPresent()).isEqualTo(link.isPresent());
            if (cursor.isPresent()) {
                assertThat(link.get()).isEqualTo("</admin/events?openId=" + openId + "&limit=10&before=" + cursor.get() + ">; rel=\"next\"");
                assertThat(Long.parseLong(cursor.get())).isEqualTo(rows.get(rows.size() - 1).path("seq").asLong());
            }
            query = link.map(l -> l.substring(1, l.indexOf('>'))).orElse(null);
        }
        assertThat(pageSizes).containsExactly(10, 10, 5);
        assertThat(seen).containsExactlyElementsOf(inserted);
    }

    /**
     * 100,000 events: every kind of filter answers a page quickly, a deep page (by cursor) as fast
     * as the first, and PostgreSQL walks an index (V5's on seq, V3's on status and seq) for the
     * newest-first lists instead of reading the whole table.
     */
    @Test
    void aHundredThousandEventsAreListedPageByPageFromIndexes() throws IOException {
        JdbcTemplate patient = new JdbcTemplate(jdbc.getDataSource()); // without the hub's 2 s query timeout
        try {
            listAHundredThousand(patient);
        } finally {
            patient.update("DELETE FROM wechat_event WHERE id LIKE 'bulk-%'");
        }
    }

    void listAHundredThousand(JdbcTemplate patient) throws IOException {
        // Plain SQL, so the test runs on any of the hub's databases: 100 inserts of 1,000 events,
        // each batch received 12 minutes after the one before (the oldest almost 20 hours ago).
        String digits = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4"
                + " UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
        Instant newest = Instant.now();
        for (int batch = 0; batch < 100; batch++) {
            Timestamp receivedAt = Timestamp.from(newest.minus(Duration.ofMinutes(12L * (99 - batch))));
            patient.update("""
                    INSERT INTO wechat_event (id, account, open_id, msg_type, event, event_key, create_time, fields, raw_xml,
                                              status, attempts, next_attempt_at, received_at)
                    SELECT CONCAT('bulk-', n), CASE WHEN MOD(n, 10) = 0 THEN 'other' ELSE 'demo' END, CONCAT('oBulk', MOD(n, 5000)),
                           'event', CASE MOD(n, 6) WHEN 0 THEN 'subscribe' WHEN 1 THEN 'unsubscribe' WHEN 2 THEN 'SCAN'
                                                   WHEN 3 THEN 'LOCATION' WHEN 4 THEN 'CLICK' ELSE 'VIEW' END,
                           CONCAT('K', n), 1764201600 + n, REPEAT('{"FromUserName":"oBulk"}', 8),
                           REPEAT('<xml><FromUserName>oBulk</FromUserName></xml>', 8),
                           CASE WHEN MOD(n, 1000) = 0 THEN 'dead' ELSE 'done' END, 1, ?, ?
                    FROM (SELECT a.d + 10 * b.d + 100 * c.d + ? AS n FROM %s a CROSS JOIN %s b CROSS JOIN %s c) numbers"""
                    .formatted(digits, digits, digits), receivedAt, receivedAt, batch * 1000);
        }
        boolean postgres = isPostgres(patient);
        patient.execute(postgres ? "ANALYZE wechat_event" : "ANALYZE TABLE wechat_event");
        Instant now = Instant.now();
        long deep = patient.queryForObject("SELECT MIN(seq) FROM wechat_event", Long.class) + 500; // page 995 of 1,000
        for (String query : List.of("", "status=dead", "openId=oBulk42", "event=VIEW", "account=other&event=CLICK",
                "from=" + now.minus(Duration.ofHours(20)) + "&to=" + now.minus(Duration.ofHours(19)), "before=" + deep,
                "openId=oBulk42&before=" + (deep + 60_000) + "&limit=5")) {
            get("/admin/events?" + query, TOKEN); // warm
            long start = System.nanoTime();
            HttpResponse<String> page = get("/admin/events?" + query, TOKEN);
            long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(json(page.body()).size()).as(query).isPositive();
            assertThat(took).as("GET /admin/events?%s took %d ms", query, took).isLessThan(500);
        }
        assertThat(json(get("/admin/events?openId=oBulk42", TOKEN).body())).hasSize(20);
        long start = System.nanoTime();
        JsonNode summary = json(get("/admin/summary", TOKEN).body());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(summary.path("total").asInt()).isEqualTo(100_000);
        assertThat(summary.path("dead").asInt()).isEqualTo(100);

        if (!postgres) {
            return; // EXPLAIN says it differently elsewhere; the times above hold everywhere
        }
        for (String conditions : List.of("", "status=dead", "before=" + deep, "event=VIEW")) {
            EventFilter.Where where = EventFilter.parse(conditions).where();
            List<Object> args = new ArrayList<>(where.args());
            args.add(101);
            String plan = String.join("\n", jdbc.queryForList("EXPLAIN " + InboxSearch.listSql(where), String.class, args.toArray()));
            assertThat(plan).as("plan of the list with %s", conditions).contains("Index").doesNotContain("Seq Scan");
        }
    }

    static boolean isPostgres(JdbcTemplate jdbc) {
        return Boolean.TRUE.equals(jdbc.execute((java.sql.Connection connection) ->
                connection.getMetaData().getDatabaseProductName().equals("PostgreSQL")));
    }

    @Test
    void theDeadListIsStillAPlainJsonArray() throws IOException {
        insert("dead1", "demo", openId, "CLICK", "dead", Instant.now());
        HttpResponse<String> dead = get("/admin/events?status=dead", TOKEN);
        assertThat(dead.statusCode()).isEqualTo(200);
        assertThat(dead.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(json(dead.body()).isArray()).isTrue();
        assertThat(dead.headers().firstValue("X-Next-Cursor")).isEmpty();
    }

    @Test
    void badQueryParametersAreRefusedWithAShortReason() {
        record Bad(String query, String reason) {
        }
        for (Bad bad : List.of(
                new Bad("status=bogus", "status must be one of"),
                new Bad("limit=0", "limit must be between 1 and 1000"),
                new Bad("limit=1001", "limit must be between 1 and 1000"),
                new Bad("limit=ten", "limit must be a whole number"),
                new Bad("before=-3", "before must be between"),
                new Bad("from=yesterday", "from must be an ISO-8601 instant"),
                new Bad("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from must be before to"),
                new Bad("stauts=dead", "unknown parameter 'stauts'"),
                new Bad("status=dead&status=done", "given twice"),
                new Bad("dryRun=true", "unknown parameter 'dryRun'"))) {
            HttpResponse<String> answer = get("/admin/events?" + bad.query(), TOKEN);
            assertThat(answer.statusCode()).as(bad.query()).isEqualTo(400);
            assertThat(answer.body()).as(bad.query()).contains(bad.reason());
        }
        assertThat(get("/admin/summary?x=1", TOKEN).statusCode()).isEqualTo(400);
        assertThat(post("/admin/events/replay?status=done", TOKEN).statusCode()).isEqualTo(400);
        assertThat(post("/admin/events/replay?limit=5", TOKEN).body()).contains("unknown parameter 'limit'");
        assertThat(post("/admin/events/replay?dryRun=yes", TOKEN).statusCode()).isEqualTo(400);
    }

    // --- one event ------------------------------------------------------------------------------

    @Test
    void oneEventShowsEveryColumnItsFollowerAndTheFollowersOtherEvents() throws IOException {
        client.send(Fixtures.push("event-subscribe", openId, createTime));
        client.send(Fixtures.push("event-location", openId, createTime + 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> state.events(openId).size() == 2
                && state.events(openId).stream().allMatch(r -> "done".equals(r.get("status"))));
        var rows = state.events(openId);
        String subscribe = (String) rows.get(0).get("id");
        String location = (String) rows.get(1).get("id");

        HttpResponse<String> answer = get("/admin/events/" + subscribe, TOKEN);
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode shown = json(answer.body());
        JsonNode event = shown.path("event");
        // every column of the row, whatever columns the table has now
        Set<String> columns = new HashSet<>();
        jdbc.query("SELECT * FROM wechat_event WHERE id = ?", rs -> {
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                columns.add(JdbcUtils.convertUnderscoreNameToPropertyName(rs.getMetaData().getColumnLabel(i)));
            }
        }, subscribe);
        Set<String> keys = new HashSet<>();
        event.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).isEqualTo(columns).contains("rawXml", "attempts", "lastError", "fields");
        assertThat(event.path("rawXml").asText()).isEqualTo(rows.get(0).get("raw_xml")).contains("<Event><![CDATA[subscribe]]></Event>");
        assertThat(event.path("attempts").asInt()).isEqualTo(1);
        assertThat(event.path("status").asText()).isEqualTo("done");

        assertThat(shown.path("follower").path("openId").asText()).isEqualTo(openId);
        assertThat(shown.path("follower").path("subscribed").asBoolean()).isTrue();
        assertThat(shown.path("follower").path("latitude").asDouble()).isEqualTo(23.137466);
        assertThat(shown.path("followerEvents")).hasSize(1);
        assertThat(shown.path("followerEvents").get(0).path("id").asText()).isEqualTo(location);

        assertThat(get("/admin/events/no-such-event", TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void anEventWithoutAFollowerRowSaysSo() throws IOException {
        String id = insert("lonely", "demo", openId, "CLICK", "done", Instant.now());
        JsonNode shown = json(get("/admin/events/" + id, TOKEN).body());
        assertThat(shown.path("follower").isNull()).isTrue();
        assertThat(shown.path("followerEvents")).isEmpty();
    }

    // --- replay -----------------------------------------------------------------------------

    @Test
    void everyDeadEventMatchingTheFilterIsReplayedAndNoOther() throws IOException {
        crm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500)));
        String other = "q" + openId.substring(1);
        String third = "r" + openId.substring(1);
        client.send(Fixtures.push("event-unsubscribe", openId, createTime));
        client.send(Fixtures.push("event-unsubscribe", other, createTime));
        client.send(Fixtures.push("event-subscribe", third, createTime));
        await().atMost(Duration.ofSeconds(30)).until(() -> deadCount() == 3);
        String live = insert("alive", "demo", "oLive" + createTime, "CLICK", "done", Instant.now());

        HttpResponse<String> dry = post("/admin/events/replay?event=unsubscribe&dryRun=true", TOKEN);
        assertThat(dry.statusCode()).isEqualTo(200);
        assertThat(json(dry.body()).path("matching").asInt()).isEqualTo(2);
        assertThat(deadCount()).isEqualTo(3);

        crm.resetAll();
        crm.stubFor(any(anyUrl()).willReturn(ok()));
        HttpResponse<String> replay = post("/admin/events/replay?event=unsubscribe&status=dead", TOKEN);
        assertThat(replay.statusCode()).isEqualTo(202);
        assertThat(json(replay.body()).path("replayed").asInt()).isEqualTo(2);

        await().atMost(Duration.ofSeconds(10)).until(() -> statusOf(state.events(other).get(0).get("id")).equals("done"));
        await().atMost(Duration.ofSeconds(10)).until(() -> state.events(openId).stream()
                .filter(r -> "unsubscribe".equals(r.get("event"))).allMatch(r -> "done".equals(r.get("status"))));
        crm.verify(1, deleteRequestedFor(urlEqualTo("/bindings/demo/" + openId)));
        crm.verify(1, deleteRequestedFor(urlEqualTo("/bindings/demo/" + other)));
        assertThat(state.events(third).get(0)).containsEntry("status", "dead");
        assertThat(statusOf(live)).isEqualTo("done");

        // the rest, with no filter at all
        assertThat(json(post("/admin/events/replay?dryRun=true", TOKEN).body()).path("matching").asInt()).isEqualTo(1);
        assertThat(json(post("/admin/events/replay", TOKEN).body()).path("replayed").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(state.events(third).get(0).get("status")));
        assertThat(deadCount()).isZero();
    }

    // --- the inbox at a glance and live figures ----------------------------------------------

    @Test
    void aDoneEventIsReplayedOnlyWithForceAsItsCallsAreMadeAgain() throws IOException {
        String done = insert("done", "demo", openId, "CLICK", "done", Instant.now());
        String dead = insert("dead", "demo", "q" + openId.substring(1), "CLICK", "dead", Instant.now());

        HttpResponse<String> refused = post("/admin/events/" + done + "/replay", TOKEN);
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.body()).contains("force=true");
        assertThat(jdbc.queryForObject("SELECT status FROM wechat_event WHERE id = ?", String.class, done)).isEqualTo("done");
        assertThat(post("/admin/events/" + done + "/replay?force=yes", TOKEN).statusCode()).isEqualTo(400);
        assertThat(post("/admin/events/" + done + "/replay?forse=true", TOKEN).body()).contains("unknown parameter 'forse'");

        assertThat(post("/admin/events/" + done + "/replay?force=true", TOKEN).statusCode()).isEqualTo(202);
        assertThat(post("/admin/events/" + dead + "/replay", TOKEN).statusCode()).as("a dead event needs no force").isEqualTo(202);
        assertThat(post("/admin/events/no-such-event/replay?force=true", TOKEN).statusCode()).isEqualTo(404);
    }

    /**
     * The replay checks the status as it changes it: an event done while the replay waited for its
     * row (a node finishing it) stays done, and the replay without force is refused. The node is
     * played by a transaction that holds the row until the replay waits for it.
     */
    @Test
    void aReplayWithoutForceLeavesDoneAnEventThatWasDoneWhileItWaited() throws Exception {
        Instant now = Instant.now();
        String id = insertDue("racing", openId, "CLICK", "pending", now, now.plus(Duration.ofDays(1))); // not due: no dispatcher takes it
        try (Connection node = jdbc.getDataSource().getConnection()) {
            node.setAutoCommit(false);
            try {
                try (PreparedStatement hold = node.prepareStatement("SELECT id FROM wechat_event WHERE id = ? FOR UPDATE")) {
                    hold.setString(1, id);
                    hold.executeQuery().close();
                }
                CompletableFuture<HttpResponse<String>> replay = CompletableFuture.supplyAsync(() -> post("/admin/events/" + id + "/replay", TOKEN));
                await().atMost(Duration.ofSeconds(5)).until(() -> jdbc.queryForObject("""
                        SELECT COUNT(*) FROM pg_stat_activity
                        WHERE wait_event_type = 'Lock' AND datname = current_database() AND query LIKE '%wechat_event%'""", Integer.class) > 0);
                try (PreparedStatement done = node.prepareStatement("UPDATE wechat_event SET status = 'done', done_at = ? WHERE id = ?")) {
                    done.setTimestamp(1, Timestamp.from(Instant.now()));
                    done.setString(2, id);
                    done.executeUpdate();
                }
                node.commit();

                HttpResponse<String> answer = replay.get(10, TimeUnit.SECONDS);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(409);
                assertThat(answer.body()).contains("force=true");
            } finally {
                node.rollback();
                node.setAutoCommit(true);
            }
        }
        assertThat(statusOf(id)).isEqualTo("done");
        assertThat(json(get("/admin/events/" + id, TOKEN).body()).path("history")).isEmpty();
    }

    @Test
    void theSummaryCountsByStatusAndEventTypeAndAgesTheOldestWaitingEvent() throws IOException {
        Instant now = Instant.now();
        Instant future = now.plus(Duration.ofDays(1)); // pending, but not due: the dispatcher leaves them be
        insertDue("s1", openId, "CLICK", "pending", now.minus(Duration.ofHours(2)), future);
        insertDue("s2", openId, "CLICK", "pending", now.minus(Duration.ofMinutes(5)), future);
        insert("s3", "demo", openId, "CLICK", "dead", now);
        insert("s4", "demo", openId, "SCAN", "dead", now);
        insert("s5", "demo", openId, "SCAN", "done", now);
        insert("s6", "demo", openId, null, "done", now);

        HttpResponse<String> answer = get("/admin/summary", TOKEN);
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode summary = json(answer.body());
        assertThat(summary.path("total").asInt()).isEqualTo(6);
        assertThat(summary.path("byStatus").path("pending").asInt()).isEqualTo(2);
        assertThat(summary.path("byStatus").path("claimed").asInt()).isZero();
        assertThat(summary.path("byStatus").path("dead").asInt()).isEqualTo(2);
        assertThat(summary.path("byStatus").path("done").asInt()).isEqualTo(2);
        assertThat(summary.path("dead").asInt()).isEqualTo(2);
        assertThat(summary.path("backlog").asInt()).isEqualTo(2);
        assertThat(summary.path("byEvent").path("CLICK").path("pending").asInt()).isEqualTo(2);
        assertThat(summary.path("byEvent").path("CLICK").path("dead").asInt()).isEqualTo(1);
        assertThat(summary.path("byEvent").path("SCAN").path("dead").asInt()).isEqualTo(1);
        assertThat(summary.path("byEvent").path("message:text").path("done").asInt()).isEqualTo(1);
        assertThat(summary.path("oldestWaitingSeconds").asLong()).isBetween(7200L, 7260L);

        state.clear();
        JsonNode empty = json(get("/admin/summary", TOKEN).body());
        assertThat(empty.path("total").asInt()).isZero();
        assertThat(empty.path("oldestWaitingSeconds").isNull()).isTrue();
    }

    @Test
    void liveFiguresComeFromTheHubsOwnMeters() throws IOException {
        for (int i = 0; i < 5; i++) {
            client.send(Fixtures.push("event-click", openId, createTime + i));
        }
        Instant future = Instant.now().plus(Duration.ofDays(1));
        // not due, and another follower's: it holds no push of this follower back
        insertDue("waiting", "oWaiting" + createTime, "CLICK", "pending", Instant.now(), future);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode figures = json(get("/admin/figures", TOKEN).body());
            assertThat(figures.path("windowSeconds").asInt()).isPositive();
            assertThat(figures.path("pushesPerSecond").asDouble()).isPositive();
            assertThat(figures.path("answerP99Ms").isNumber()).isTrue();
            assertThat(figures.path("answerP99Ms").asDouble()).isPositive().isLessThan(5000);
            assertThat(figures.path("backlog").asInt()).isEqualTo(1);
        });
    }

    @Test
    void theLastHourIsAPointEveryTenSecondsFromTheSameMeters() throws IOException {
        client.send(Fixtures.push("event-click", openId, createTime));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode hour = json(get("/admin/figures/last-hour", TOKEN).body());
            assertThat(hour.path("everySeconds").asInt()).isEqualTo(10);
            assertThat(hour.path("slots").asInt()).isEqualTo(360);
            JsonNode points = hour.path("points");
            assertThat(points.size()).isPositive().isLessThanOrEqualTo(360);
            JsonNode last = points.get(points.size() - 1);
            assertThat(Instant.parse(last.path("at").asText())).isBetween(Instant.now().minusSeconds(15), Instant.now());
            assertThat(last.has("donePerSecond")).isTrue();
            assertThat(last.has("answerP99Ms")).isTrue();
            assertThat(last.path("backlog").isNumber()).isTrue();
            List<Double> pushes = new ArrayList<>();
            points.forEach(point -> pushes.add(point.path("pushesPerSecond").asDouble()));
            assertThat(pushes).as("the push a moment ago").anyMatch(rate -> rate > 0);
        });
        assertThat(get("/admin/figures/last-hour?since=1", TOKEN).statusCode()).isEqualTo(400);
    }

    @Test
    void theConsolesCallsAreNotTimedAsPushes() {
        long before = answersTimed();
        for (int i = 0; i < 5; i++) {
            get("/admin/summary", TOKEN);
            get("/admin/figures", TOKEN);
            get("/admin/events", null); // a refusal of the operator API is not a push either
        }
        get("/admin/console", null);
        assertThat(answersTimed()).isEqualTo(before);
        client.send(Fixtures.push("event-click", openId, createTime));
        assertThat(answersTimed()).isEqualTo(before + 1);
    }

    long answersTimed() {
        return registry.find("wechat.push.answer").timers().stream().mapToLong(Timer::count).sum();
    }

    // --- routes ---------------------------------------------------------------------------------

    @Test
    void theRoutesListEveryFileRunningAndTheLastReload() throws IOException {
        JsonNode routes = json(get("/admin/routes", TOKEN).body());
        Set<String> files = new HashSet<>();
        routes.path("files").forEach(file -> files.add(file.path("file").asText()));
        try (Stream<Path> shipped = Files.list(Path.of("routes"))) {
            assertThat(files).isEqualTo(new HashSet<>(shipped.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".camel.yaml")).toList()));
        }
        JsonNode push = null;
        for (JsonNode file : routes.path("files")) {
            if (file.path("file").asText().equals("wechat-push.camel.yaml")) {
                push = file.path("routes").get(0);
            }
        }
        assertThat(push).isNotNull();
        assertThat(push.path("id").asText()).isEqualTo("wechat-push");
        assertThat(push.path("status").asText()).isEqualTo("Started");
        assertThat(routes.path("liveReload").asBoolean()).isTrue();
        assertThat(routes.path("lastReload").path("lastReload").isTextual()).isTrue();
    }

    // --- the token and the console's files --------------------------------------------------

    @Test
    void everyCallNeedsTheTokenButThePageLoadsWithoutOne() {
        for (String path : List.of("/admin/events", "/admin/events?status=dead", "/admin/events/abc", "/admin/summary",
                "/admin/figures", "/admin/figures/last-hour", "/admin/routes")) {
            assertThat(get(path, null).statusCode()).as(path).isEqualTo(401);
            assertThat(get(path, "wrong-token").statusCode()).as(path).isEqualTo(401);
        }
        for (String path : List.of("/admin/events/replay", "/admin/events/replay?dryRun=true", "/admin/events/abc/replay")) {
            assertThat(post(path, null).statusCode()).as(path).isEqualTo(401);
            assertThat(post(path, "wrong-token").statusCode()).as(path).isEqualTo(401);
        }

        // only the request header counts: platform-http makes query parameters headers too
        assertThat(get("/admin/routes?Authorization=Bearer%20" + TOKEN, null).statusCode()).isEqualTo(401);

        HttpResponse<String> page = get("/admin/console", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html;charset=UTF-8");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("script-src 'self'").contains("default-src 'none'").doesNotContain("unsafe-inline"));
        assertThat(page.body()).contains("id=\"sign-in\"").contains("/admin/console/console.js").doesNotContain("<script>");
        assertThat(get("/admin/console/console.js", null).headers().firstValue("Content-Type")).hasValue("text/javascript;charset=UTF-8");
        assertThat(get("/admin/console/console.js", null).body()).doesNotContain("innerHTML =").contains("textContent");
        assertThat(get("/admin/console/console.css", null).headers().firstValue("Content-Type")).hasValue("text/css;charset=UTF-8");
        assertThat(get("/admin/console/application.yaml", null).statusCode()).isEqualTo(404);
        assertThat(get("/admin/console/..%2Fapplication.yaml", null).statusCode()).isIn(400, 404);
    }

    // --- helpers ----------------------------------------------------------------------------

    String insert(String name, String account, String openId, String event, String status, Instant receivedAt) {
        return insertDue(name, account, openId, event, status, receivedAt, receivedAt);
    }

    String insertDue(String name, String openId, String event, String status, Instant receivedAt, Instant due) {
        return insertDue(name, "demo", openId, event, status, receivedAt, due);
    }

    String insertDue(String name, String account, String openId, String event, String status, Instant receivedAt, Instant due) {
        String id = name + "-" + createTime + "-" + openId.hashCode();
        String xml = event == null ? Fixtures.push("message-text", openId, createTime) : "<xml><Event><![CDATA[" + event + "]]></Event></xml>";
        jdbc.update("""
                INSERT INTO wechat_event (id, account, open_id, msg_type, event, create_time, fields, raw_xml, status, attempts,
                                          next_attempt_at, received_at, last_error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                id, account, openId, event == null ? "text" : "event", event, createTime,
                "{\"FromUserName\":\"" + openId + "\",\"Event\":\"" + event + "\"}", xml, status,
                status.equals("pending") ? 0 : 1, Timestamp.from(due), Timestamp.from(receivedAt),
                status.equals("dead") ? "CRM answered 500" : null);
        return id;
    }

    List<String> ids(String query) throws IOException {
        HttpResponse<String> answer = get("/admin/events?" + query, TOKEN);
        assertThat(answer.statusCode()).as(query + ": " + answer.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        json(answer.body()).forEach(row -> ids.add(row.path("id").asText()));
        return ids;
    }

    int deadCount() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM wechat_event WHERE status = 'dead'", Integer.class);
    }

    String statusOf(Object id) {
        return jdbc.queryForObject("SELECT status FROM wechat_event WHERE id = ?", String.class, id);
    }

    static JsonNode json(String body) throws IOException {
        return JSON.readTree(body);
    }

    HttpResponse<String> get(String path, String token) {
        return call("GET", path, token);
    }

    HttpResponse<String> post(String path, String token) {
        return call("POST", path, token);
    }

    HttpResponse<String> call(String method, String path, String token) {
        return client.operator(method, path, token);
    }
}
