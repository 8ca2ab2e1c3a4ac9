package com.wechathub.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.support.ProdTestProperties;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A campaign's figures per day and in total, from the inbox (docs/wechat.md, "The menu and scene-QR campaigns"), as JSON and as CSV. */
class CampaignFiguresTests extends CampaignIntegrationTest {

    static final LocalDate D1 = LocalDate.of(2026, 11, 2);
    static final LocalDate D2 = D1.plusDays(1);
    static final String FIGURES = "/admin/accounts/api/campaigns/spring_poster/figures";
    final ObjectMapper json = new ObjectMapper();

    void event(String account, String openId, String event, String eventKey, LocalDate day, int hour) {
        long createTime = day.atStartOfDay(ZoneOffset.UTC).plusHours(hour).toEpochSecond();
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("INSERT INTO wechat_event (id, account, open_id, msg_type, event, event_key, create_time, fields, raw_xml,"
                        + " status, next_attempt_at, received_at) VALUES (?, ?, ?, 'event', ?, ?, ?, '{}', '<xml/>', 'done', ?, ?)",
                UUID.randomUUID().toString(), account, openId, event, eventKey, createTime, now, now);
    }

    @BeforeEach
    void history() {
        event("api", "oA", "subscribe", "qrscene_spring_poster", D1, 10);     // new
        event("api", "oA", "unsubscribe", null, D1.plusDays(3), 9);           // … and gone within 7 days
        event("api", "oB", "subscribe", null, D1.minusDays(30), 8);           // followed long ago
        event("api", "oB", "unsubscribe", null, D1.minusDays(20), 8);
        event("api", "oB", "subscribe", "qrscene_spring_poster", D1, 12);     // returning
        event("api", "oC", "subscribe", "qrscene_spring_poster", D2, 23);     // new
        event("api", "oC", "unsubscribe", null, D2.plusDays(8), 0);           // after 7 days: not counted
        event("api", "oD", "SCAN", "spring_poster", D2, 1);
        event("api", "oD", "SCAN", "spring_poster", D2, 2);
        event("api", "oE", "subscribe", "qrscene_store_door", D1, 10);        // another campaign
        event("other", "oF", "SCAN", "spring_poster", D2, 3);                 // another account
        event("api", "oG", "SCAN", "spring_poster", D2.plusDays(2), 0);       // after the period
    }

    HttpResponse<String> get(String pathAndQuery, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + pathAndQuery)).GET()
                .header("Authorization", "Bearer " + ProdTestProperties.ADMIN_TOKEN);
        if (accept != null) {
            request.header("Accept", accept);
        }
        return client.exchange(request);
    }

    @Test
    void everyDayOfThePeriodAndTheTotals() throws Exception {
        HttpResponse<String> answer = get(FIGURES + "?from=" + D1 + "&to=" + D2.plusDays(1), null);

        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode figures = json.readTree(answer.body());
        assertThat(figures.get("campaign").asText()).isEqualTo("Spring poster");
        assertThat(figures.get("days").toString()).isEqualTo("["
                + "{\"day\":\"2026-11-02\",\"scans\":0,\"follows\":2,\"newFollowers\":1,\"returning\":1,\"unfollowsWithin7Days\":1},"
                + "{\"day\":\"2026-11-03\",\"scans\":2,\"follows\":1,\"newFollowers\":1,\"returning\":0,\"unfollowsWithin7Days\":0},"
                + "{\"day\":\"2026-11-04\",\"scans\":0,\"follows\":0,\"newFollowers\":0,\"returning\":0,\"unfollowsWithin7Days\":0}]");
        assertThat(figures.get("totals").toString())
                .isEqualTo("{\"scans\":2,\"follows\":3,\"newFollowers\":2,\"returning\":1,\"unfollowsWithin7Days\":1}");
    }

    @Test
    void acceptTextCsvGivesTheSameAsCsv() {
        HttpResponse<String> answer = get(FIGURES + "?from=" + D1 + "&to=" + D2, "text/csv");

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
        assertThat(answer.body()).isEqualTo("day,scans,follows,newFollowers,returning,unfollowsWithin7Days\r\n"
                + "2026-11-02,0,2,1,1,1\r\n2026-11-03,2,1,1,0,0\r\ntotal,2,3,2,1,1\r\n");
    }

    @Test
    void badPeriodsAreRefusedWithAReason() {
        assertThat(get(FIGURES + "?from=yesterday", null).statusCode()).isEqualTo(400);
        assertThat(get(FIGURES + "?from=" + D2 + "&to=" + D1, null).body()).isEqualTo("from is after to");
        assertThat(get(FIGURES + "?from=2024-01-01&to=2026-01-01", null).statusCode()).isEqualTo(400);
        assertThat(get(FIGURES + "?since=" + D1, null).statusCode()).isEqualTo(400);
        assertThat(get("/admin/accounts/api/campaigns/nope/figures", null).statusCode()).isEqualTo(404);
        assertThat(client.operator("GET", FIGURES, "wrong").statusCode()).isEqualTo(401);
    }
}
