package com.wechathub.campaign;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.support.FakeWechatApi;
import com.wechathub.support.ProdTestProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A campaign's QR code and its image (docs/wechat.md, "The menu and scene-QR campaigns"), made by WeChat once and kept. */
class CampaignQrCodeTests extends CampaignIntegrationTest {

    static final String SPRING = "/admin/accounts/api/campaigns/spring_poster/qrcode";
    static final String STORE = "/admin/accounts/api/campaigns/store_door/qrcode";
    final ObjectMapper json = new ObjectMapper();

    HttpResponse<String> make(String path) {
        return client.operator("POST", path, ProdTestProperties.ADMIN_TOKEN);
    }

    HttpResponse<byte[]> image(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aTemporaryCodeIsMadeWithQrStrSceneAndKept() throws Exception {
        Instant before = Instant.now();
        HttpResponse<String> made = make(SPRING);

        assertThat(made.statusCode()).isEqualTo(200);
        JsonNode answer = json.readTree(made.body());
        assertThat(answer.get("scene").asText()).isEqualTo("spring_poster");
        assertThat(answer.get("ticket").asText()).isEqualTo(FakeWechatApi.QR_TICKET);
        assertThat(answer.get("url").asText()).isEqualTo(FakeWechatApi.QR_URL);
        assertThat(answer.get("image").asText()).isEqualTo(SPRING + ".png");
        Instant expiresAt = Instant.parse(answer.get("expiresAt").asText());
        assertThat(expiresAt).isBetween(before.plus(Duration.ofDays(7)).minusSeconds(1), Instant.now().plus(Duration.ofDays(7)));
        wechat.verify(1, postRequestedFor(urlPathEqualTo("/cgi-bin/qrcode/create"))
                .withQueryParam("access_token", equalTo(FakeWechatApi.TOKEN))
                .withRequestBody(equalToJson("{\"expire_seconds\":604800,\"action_name\":\"QR_STR_SCENE\","
                        + "\"action_info\":{\"scene\":{\"scene_str\":\"spring_poster\"}}}")));

        assertThat(json.readTree(make(SPRING).body())).isEqualTo(answer); // still valid: kept, WeChat not asked again
        wechat.verify(1, postRequestedFor(urlPathEqualTo("/cgi-bin/qrcode/create")));
    }

    @Test
    void aTemporaryCodeIsMadeAgainOnceItHasExpired() throws Exception {
        make(SPRING);
        jdbc.update("UPDATE wechat_campaign_qrcode SET expires_at = ? WHERE scene = 'spring_poster'", Timestamp.from(Instant.now().minusSeconds(1)));
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/qrcode/create")).willReturn(okJson(
                "{\"ticket\":\"NEW-TICKET\",\"expire_seconds\":604800,\"url\":\"http://weixin.qq.com/q/new\"}")));

        JsonNode again = json.readTree(make(SPRING).body());

        assertThat(again.get("ticket").asText()).isEqualTo("NEW-TICKET");
        assertThat(Instant.parse(again.get("expiresAt").asText())).isAfter(Instant.now().plus(Duration.ofDays(6)));
        wechat.verify(2, postRequestedFor(urlPathEqualTo("/cgi-bin/qrcode/create")));
    }

    @Test
    void aPermanentCodeIsMadeOnceEver() throws Exception {
        JsonNode made = json.readTree(make(STORE).body());
        jdbc.update("UPDATE wechat_campaign_qrcode SET created_at = ? WHERE scene = 'store_door'", Timestamp.from(Instant.now().minus(Duration.ofDays(400))));

        JsonNode again = json.readTree(make(STORE).body());

        assertThat(made.get("expiresAt").isNull()).isTrue();
        assertThat(again).isEqualTo(made);
        wechat.verify(1, postRequestedFor(urlPathEqualTo("/cgi-bin/qrcode/create"))
                .withRequestBody(equalToJson("{\"action_name\":\"QR_LIMIT_STR_SCENE\",\"action_info\":{\"scene\":{\"scene_str\":\"store_door\"}}}")));
    }

    @Test
    void theImageIsFetchedOnceFromShowqrcodeWithTheTicketEncodedAndServedByTheHub() throws Exception {
        make(SPRING);

        HttpResponse<byte[]> first = image(SPRING + ".png", ProdTestProperties.ADMIN_TOKEN);
        HttpResponse<byte[]> second = image(SPRING + ".png", ProdTestProperties.ADMIN_TOKEN);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(first.body()).isEqualTo(FakeWechatApi.QR_PNG);
        assertThat(second.body()).isEqualTo(FakeWechatApi.QR_PNG);
        wechat.verify(1, getRequestedFor(urlPathEqualTo("/cgi-bin/showqrcode")).withQueryParam("ticket", equalTo(FakeWechatApi.QR_TICKET)));
    }

    @Test
    void theImageNeedsTheOperatorToken() throws Exception {
        make(SPRING);
        assertThat(image(SPRING + ".png", null).statusCode()).isEqualTo(401);
        assertThat(image(SPRING + ".png", "wrong").statusCode()).isEqualTo(401);
    }

    @Test
    void anUnknownAccountOrSceneIs404AndACodeNotYetMadeHasNoImage() throws Exception {
        assertThat(make("/admin/accounts/nobody/campaigns/spring_poster/qrcode").statusCode()).isEqualTo(404);
        HttpResponse<String> unknown = make("/admin/accounts/api/campaigns/no_such/qrcode");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("no such campaign");
        assertThat(image(STORE + ".png", ProdTestProperties.ADMIN_TOKEN).statusCode()).isEqualTo(404);
        wechat.verify(0, postRequestedFor(urlPathEqualTo("/cgi-bin/qrcode/create")));
    }

    @Test
    void wechatsRefusalIs502WithItsErrcode() {
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/qrcode/create")).willReturn(okJson(FakeWechatApi.error(45009, "api freq out of limit"))));

        HttpResponse<String> refused = make(SPRING);

        assertThat(refused.statusCode()).isEqualTo(502);
        assertThat(refused.body()).contains("45009");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM wechat_campaign_qrcode", Integer.class)).isZero();
    }

    @Test
    void theCallNeedsTheOperatorToken() {
        assertThat(client.operator("POST", SPRING, "wrong").statusCode()).isEqualTo(401);
        wechat.verify(0, postRequestedFor(urlPathEqualTo("/cgi-bin/qrcode/create")));
    }
}
