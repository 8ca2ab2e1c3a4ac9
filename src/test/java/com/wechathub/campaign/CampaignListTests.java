package com.wechathub.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.support.ProdTestProperties;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's lists (docs/operating.md): the accounts to pick from, and every campaign of an account
 * with its QR code, its totals and its last 7 days, from the inbox on the real PostgreSQL.
 */
class CampaignListTests extends CampaignIntegrationTest {

    static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
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
        event("api", "oOld", "subscribe", "qrscene_spring_poster", TODAY.minusDays(40), 1); // before the last 7 days: totals only
        event("api", "oA", "subscribe", "qrscene_spring_poster", TODAY.minusDays(6), 0);    // new, the first of the 7 days
        event("api", "oA", "unsubscribe", null, TODAY.minusDays(5), 0);                      // … gone within 7 days
        event("api", "oOld", "unsubscribe", null, TODAY.minusDays(30), 0);
        event("api", "oOld", "subscribe", "qrscene_spring_poster", TODAY, 0);                // returning, today
        event("api", "oB", "SCAN", "spring_poster", TODAY, 0);
        event("api", "oB", "SCAN", "spring_poster", TODAY, 0);
        event("api", "oC", "SCAN", "qrscene_spring_poster", TODAY, 0);                       // not a scan of any campaign
        event("api", "oD", "subscribe", "qrscene_store_door", TODAY.minusDays(1), 0);
        event("other", "oE", "SCAN", "spring_poster", TODAY, 0);                             // another account
        event("api", "oF", "subscribe", "qrscene_not_a_campaign", TODAY, 0);
        Instant expires = Instant.now().plus(Duration.ofDays(3));
        jdbc.update("INSERT INTO wechat_campaign_qrcode (account, scene, permanent, ticket, url, expires_at, created_at)"
                + " VALUES ('api', 'spring_poster', FALSE, 'T+/=', 'http://weixin.qq.com/q/x', ?, ?)", Timestamp.from(expires), Timestamp.from(Instant.now()));
    }

    HttpResponse<String> get(String path) {
        return client.operator("GET", path, ProdTestProperties.ADMIN_TOKEN);
    }

    JsonNode campaign(JsonNode list, String scene) {
        for (JsonNode campaign : list.get("campaigns")) {
            if (campaign.get("scene").asText().equals(scene)) {
                return campaign;
            }
        }
        throw new AssertionError("no campaign " + scene + " in " + list);
    }

    @Test
    void everyCampaignOfTheAccountWithItsCodeTotalsAndLastSevenDays() throws Exception {
        HttpResponse<String> answer = get("/admin/accounts/api/campaigns");
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode list = json.readTree(answer.body());
        assertThat(list.get("from").asText()).isEqualTo(TODAY.minusDays(6).toString());
        assertThat(list.get("to").asText()).isEqualTo(TODAY.toString());
        assertThat(list.get("campaigns")).hasSize(2);

        JsonNode spring = campaign(list, "spring_poster");
        assertThat(spring.get("name").asText()).isEqualTo("Spring poster");
        assertThat(spring.get("kind").asText()).isEqualTo("temporary");
        assertThat(spring.get("expiresSeconds").asLong()).isEqualTo(7 * 86_400);
        assertThat(spring.get("tags").toString()).isEqualTo("[\"spring\",\"poster\"]");
        assertThat(spring.at("/qrCode/ticket").asText()).isEqualTo("T+/=");
        assertThat(spring.at("/qrCode/url").asText()).isEqualTo("http://weixin.qq.com/q/x");
        assertThat(spring.at("/qrCode/expired").asBoolean()).isFalse();
        assertThat(spring.at("/qrCode/image").asText()).isEqualTo("/admin/accounts/api/campaigns/spring_poster/qrcode.png");
        assertThat(spring.get("totals").toString()).isEqualTo(
                "{\"scans\":2,\"follows\":3,\"newFollowers\":2,\"returning\":1,\"unfollowsWithin7Days\":1}");
        JsonNode days = spring.get("last7Days");
        assertThat(days).hasSize(7);
        assertThat(days.get(0).toString()).isEqualTo("{\"day\":\"" + TODAY.minusDays(6)
                + "\",\"scans\":0,\"follows\":1,\"newFollowers\":1,\"returning\":0,\"unfollowsWithin7Days\":1}");
        assertThat(days.get(6).toString()).isEqualTo("{\"day\":\"" + TODAY
                + "\",\"scans\":2,\"follows\":1,\"newFollowers\":0,\"returning\":1,\"unfollowsWithin7Days\":0}");
        assertThat(days.get(3).get("follows").asLong()).isZero();

        JsonNode store = campaign(list, "store_door");
        assertThat(store.get("kind").asText()).isEqualTo("permanent");
        assertThat(store.get("expiresSeconds").isNull()).isTrue();
        assertThat(store.get("qrCode").isNull()).isTrue();
        assertThat(store.at("/totals/follows").asLong()).isEqualTo(1);
        assertThat(store.at("/last7Days/5/follows").asLong()).isEqualTo(1);
    }

    @Test
    void theSameFiguresAsTheCampaignsOwnFigures() throws Exception {
        JsonNode spring = campaign(json.readTree(get("/admin/accounts/api/campaigns").body()), "spring_poster");
        JsonNode own = json.readTree(get("/admin/accounts/api/campaigns/spring_poster/figures?from=" + TODAY.minusDays(6) + "&to=" + TODAY).body());
        for (int i = 0; i < 7; i++) {
            assertThat(spring.get("last7Days").get(i)).isEqualTo(own.get("days").get(i));
        }
    }

    @Test
    void anExpiredCodeIsSaidToBe() throws Exception {
        jdbc.update("UPDATE wechat_campaign_qrcode SET expires_at = ? WHERE scene = 'spring_poster'", Timestamp.from(Instant.now().minusSeconds(5)));
        assertThat(campaign(json.readTree(get("/admin/accounts/api/campaigns").body()), "spring_poster").at("/qrCode/expired").asBoolean()).isTrue();
    }

    @Test
    void theAccountsListSaysHowManyCampaignsAndWhetherAMenuIsConfigured() throws Exception {
        HttpResponse<String> answer = get("/admin/accounts");
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode accounts = json.readTree(answer.body());
        assertThat(accounts.toString()).contains("{\"id\":\"api\",\"campaigns\":2,\"menu\":true,\"callsApi\":true}")
                .contains("{\"id\":\"demo\",\"campaigns\":0,\"menu\":false,\"callsApi\":false}");
        assertThat(accounts.get(0).get("id").asText()).isEqualTo("api"); // by id
    }

    @Test
    void anUnknownAccountIs404AndBothCallsNeedTheToken() {
        assertThat(get("/admin/accounts/nobody/campaigns").statusCode()).isEqualTo(404);
        assertThat(client.operator("GET", "/admin/accounts/api/campaigns", "wrong").statusCode()).isEqualTo(401);
        assertThat(client.operator("GET", "/admin/accounts", null).statusCode()).isEqualTo(401);
    }
}
