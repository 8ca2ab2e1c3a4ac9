package com.wechathub.reply;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.wechathub.support.ApiAccount;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.PushClient;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Passive replies of every kind (docs/wechat.md), plain and in safe mode, for test account "api"
 * (src/test/resources/api-account.properties), and a crm: reply the CRM answers in time.
 */
class RichRepliesTests extends HubIntegrationTest {

    static final String CONCERT = "<ArticleCount>1</ArticleCount><Articles><item><Title><![CDATA[Spring sale]]></Title>"
            + "<Description><![CDATA[20 % off & more <today>]]></Description><PicUrl><![CDATA[https://example.com/sale.jpg]]></PicUrl>"
            + "<Url><![CDATA[https://example.com/sale?a=1&b=2]]></Url></item></Articles></xml>";

    PushClient api;

    @BeforeEach
    void apiAccount() {
        api = ApiAccount.client(port);
    }

    String click(String key) {
        return Fixtures.withEventKey(Fixtures.push("event-click", openId, createTime), key);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "K_TEXT  | text                      | <Content><![CDATA[Opening hours: 9 to 5.]]></Content></xml>",
            "K_NEWS  | news                      | " + CONCERT,
            "K_IMAGE | image                     | <Image><MediaId><![CDATA[MEDIA_ID_1]]></MediaId></Image></xml>",
            "K_AGENT | transfer_customer_service | </MsgType></xml>",
    })
    void eachMenuReplyKindIsWechatsXmlPlainAndEncrypted(String key, String msgType, String body) throws Exception {
        HttpResponse<String> plain = api.send(click(key));
        HttpResponse<String> encrypted = api.sendEncrypted(click(key)); // WeChat's retry, in safe mode

        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(encrypted.statusCode()).isEqualTo(200);
        assertThat(encrypted.body()).contains("<Encrypt>").contains("<MsgSignature>").doesNotContain(msgType);
        for (String reply : new String[] {plain.body(), api.decrypt(encrypted.body())}) {
            assertThat(reply).startsWith("<xml><ToUserName><![CDATA[" + openId + "]]></ToUserName>"
                            + "<FromUserName><![CDATA[gh_demo_account]]></FromUserName><CreateTime>")
                    .contains("<MsgType><![CDATA[" + msgType + "]]></MsgType>").endsWith(body);
            JsonNode parsed = com.wechathub.wechat.WechatXmlTestAccess.mapper().readTree(reply); // well-formed
            assertThat(parsed.get("MsgType").asText()).isEqualTo(msgType);
        }
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }

    @Test
    void aRetriedPushGetsTheSameReply() {
        String first = api.send(click("K_NEWS")).body();
        String retry = api.send(click("K_NEWS")).body();
        assertThat(retry.replaceAll("<CreateTime>\\d+</CreateTime>", "")).isEqualTo(first.replaceAll("<CreateTime>\\d+</CreateTime>", ""));
    }

    @Test
    void welcomeNewsIsTheWelcomeOfItsAccount() {
        String news = "<MsgType><![CDATA[news]]></MsgType><ArticleCount>1</ArticleCount><Articles><item><Title><![CDATA[Welcome aboard]]></Title>"
                + "<Description><![CDATA[What followers get, in one page]]></Description><PicUrl><![CDATA[https://example.com/welcome.jpg]]></PicUrl>"
                + "<Url><![CDATA[https://example.com/welcome]]></Url></item></Articles></xml>";
        assertThat(api.send(Fixtures.push("event-subscribe", openId, createTime)).body()).endsWith(news);
        assertThat(api.decrypt(api.sendEncrypted(Fixtures.push("event-subscribe", openId + "s", createTime)).body())).endsWith(news);
    }

    @Test
    void aMenuKeyWithoutAReplyAndOtherEventsAnswerSuccess() {
        assertThat(api.send(click("K_NOT_CONFIGURED")).body()).isEqualTo("success");
        assertThat(api.send(Fixtures.push("event-view", openId, createTime)).body()).isEqualTo("success");
    }

    @Test
    void aCrmReplyReadyInTimeIsThePassiveReply() {
        crm.stubFor(get(urlEqualTo("/replies/" + openId + "/K_CRM"))
                .willReturn(okJson("{\"text\":\"Your parcel is on its way.\"}").withFixedDelay(100)));

        HttpResponse<String> plain = api.send(click("K_CRM"));
        String encrypted = api.decrypt(api.sendEncrypted(click("K_CRM")).body()); // WeChat's retry: the reply recorded

        for (String reply : new String[] {plain.body(), encrypted}) {
            assertThat(reply).contains("<ToUserName><![CDATA[" + openId + "]]></ToUserName>")
                    .contains("<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[Your parcel is on its way.]]></Content>");
        }
        String eventId = (String) state.events(openId).get(0).get("id");
        crm.verify(1, getRequestedFor(urlEqualTo("/replies/" + openId + "/K_CRM"))
                .withHeader("Idempotency-Key", equalTo(eventId)).withHeader("Authorization", equalTo("Bearer crm-test-token")));
        // Recorded with the event: no late path (another node's, a retry's) can send it too.
        assertThat(state.events(openId).get(0)).containsEntry("reply_status", "passive");
        assertThat((String) state.events(openId).get(0).get("reply_message")).contains("Your parcel is on its way.");
        wechat.verify(0, anyRequestedFor(urlPathMatching("/cgi-bin/message/.*")));
    }

    @Test
    void aCrmNewsReplyReadyInTimeIsANewsMessage() {
        crm.stubFor(get(urlEqualTo("/replies/" + openId + "/K_CRM")).willReturn(okJson(
                "{\"news\":{\"title\":\"Spring sale\",\"description\":\"20 % off & more <today>\",\"pic-url\":\"https://example.com/sale.jpg\","
                        + "\"url\":\"https://example.com/sale?a=1&b=2\"}}")));
        assertThat(api.send(click("K_CRM")).body()).contains("<MsgType><![CDATA[news]]></MsgType>").endsWith(CONCERT);
    }

    @Test
    void aCrmWithNoReplyOrAFailureAnswersSuccess() {
        crm.stubFor(get(urlEqualTo("/replies/" + openId + "/K_CRM")).willReturn(aResponse().withStatus(204)));
        crm.stubFor(get(urlEqualTo("/replies/" + openId + "x/K_CRM")).willReturn(aResponse().withStatus(500)));

        assertThat(api.send(click("K_CRM")).body()).isEqualTo("success");
        String failing = Fixtures.withEventKey(Fixtures.push("event-click", openId + "x", createTime), "K_CRM");
        assertThat(api.send(failing).body()).isEqualTo("success");

        assertThat(state.events(openId + "x").get(0)).containsEntry("reply_status", "failed");
        assertThat((String) state.events(openId + "x").get(0).get("reply_error")).contains("500");
        wechat.verify(0, anyRequestedFor(urlPathMatching("/cgi-bin/message/.*")));
    }

    @ParameterizedTest
    @CsvSource({
            "../bindings/api/victim, %2E%2E%2Fbindings%2Fapi%2Fvictim",
            "'o/x?admin=1#frag', o%2Fx%3Fadmin%3D1%23frag",
            ".., %2E%2E",
            "o%2Fx, o%252Fx",
    })
    void aFollowerIdReachesTheCrmOnlyAsOnePathSegment(String hostile, String segment) {
        crm.stubFor(get(urlPathMatching("/.*")).willReturn(okJson("{\"text\":\"Your order shipped.\"}")));

        String push = Fixtures.withEventKey(Fixtures.push("event-click", hostile, createTime), "K_CRM");
        assertThat(api.send(push).body()).contains("Your order shipped.");

        var calls = crm.findAll(anyRequestedFor(urlPathMatching("/.*")));
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).getUrl()).as("the exact path the CRM received").isEqualTo("/replies/" + segment + "/K_CRM");
        jdbc.update("DELETE FROM wechat_event WHERE open_id = ?", hostile);
    }

    @Test
    void aPassiveCrmTextIsCleanedAndCutAsWechatTakesIt() {
        crm.stubFor(get(urlEqualTo("/replies/" + openId + "/K_CRM"))
                .willReturn(okJson("{\"text\":\"Hello\\u0000\\u001b there\\r\\n" + "é".repeat(1500) + "\"}")));

        String reply = api.send(click("K_CRM")).body();

        String content = reply.substring(reply.indexOf("<Content><![CDATA[") + 18, reply.indexOf("]]></Content>"));
        assertThat(content).startsWith("Hello there\né");
        assertThat(content.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(2048).isGreaterThan(2040);
    }
}
