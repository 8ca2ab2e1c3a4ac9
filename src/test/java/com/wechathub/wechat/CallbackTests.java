package com.wechathub.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.PushClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The callback over real HTTP, in the prod profile, against the real Redis and PostgreSQL. */
class CallbackTests extends HubIntegrationTest {

    // --- URL verification (GET) -------------------------------------------------------------

    @Test
    void verificationEchoesEchostrWhenSigned() {
        HttpResponse<String> response = client.get("/wechat/demo?" + PushClient.signedQuery(PushClient.now()) + "&echostr=hello123");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("hello123");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    }

    @Test
    void verificationWithWrongSignatureIsForbidden() {
        HttpResponse<String> response = client.get("/wechat/demo?signature=0000&timestamp=1&nonce=2&echostr=hello");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).doesNotContain("hello").doesNotContain("Exception");
    }

    // --- the seven event shapes -------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({
            "event-subscribe,       subscribe,   Welcome! Thanks for following us.",
            "event-subscribe-scene, subscribe,   Welcome! You followed us from the store poster.",
            "event-unsubscribe,     unsubscribe, ",
            "event-scan,            SCAN,        Welcome back to the store.",
            "event-location,        LOCATION,    ",
            "event-click,           CLICK,       Today's pick: Blue Danube.",
            "event-view,            VIEW,        ",
    })
    void eachEventShapeIsRecordedAndAnswered(String fixture, String event, String replyText) {
        HttpResponse<String> response = client.send(Fixtures.push(fixture, openId, createTime));

        assertThat(response.statusCode()).isEqualTo(200);
        if (replyText == null) {
            assertThat(response.body()).isEqualTo("success");
        } else {
            assertThat(response.body())
                    .contains("<ToUserName><![CDATA[" + openId + "]]></ToUserName>")
                    .contains("<FromUserName><![CDATA[gh_demo_account]]></FromUserName>")
                    .contains("<MsgType><![CDATA[text]]></MsgType>")
                    .contains("<Content><![CDATA[" + replyText + "]]></Content>");
        }
        List<Map<String, Object>> rows = state.events(openId);
        assertThat(rows).hasSize(1);
        Map<String, Object> row = rows.get(0);
        assertThat(row).containsEntry("account", "demo").containsEntry("event", event)
                .containsEntry("msg_type", "event").containsEntry("create_time", createTime)
                .containsKey("status");
        assertThat((String) row.get("raw_xml")).contains(openId);
        assertThat((String) row.get("fields")).contains("\"Event\":\"" + event + "\"");
    }

    @Test
    void locationFieldsAreRecorded() {
        client.send(Fixtures.push("event-location", openId, createTime));
        assertThat((String) state.events(openId).get(0).get("fields"))
                .contains("\"Latitude\":23.137466").contains("\"Longitude\":113.352425").contains("\"Precision\":119.38504");
    }

    @Test
    void ordinaryMessagesAreRecordedAndAnsweredSuccess() {
        HttpResponse<String> response = client.send(Fixtures.push("message-text", openId, createTime));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("success");
        assertThat(state.events(openId)).singleElement()
                .satisfies(row -> assertThat(row).containsEntry("msg_type", "text").containsEntry("event", null));
    }

    @Test
    void unknownEventsAreRecordedAndAnsweredSuccess() {
        String xml = Fixtures.push("event-click", openId, createTime).replace("CLICK", "view_miniprogram");
        HttpResponse<String> response = client.send(xml);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("success");
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }

    @Test
    void menuKeyWithoutConfiguredTextAnswersSuccess() {
        HttpResponse<String> response = client.send(Fixtures.withEventKey(Fixtures.push("event-click", openId, createTime), "NO_SUCH_KEY"));
        assertThat(response.body()).isEqualTo("success");
    }

    // --- WeChat's retries ------------------------------------------------------------------

    @Test
    void sequentialRetriesGetTheSameReplyAndOneRow() {
        String xml = Fixtures.push("event-subscribe", openId, createTime);
        List<HttpResponse<String>> answers = IntStream.range(0, 4).mapToObj(i -> client.send(xml)).toList();

        assertThat(answers).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("Welcome! Thanks for following us.");
        });
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }

    @Test
    void twentyParallelRetriesLeaveOneRow() throws Exception {
        String xml = Fixtures.push("event-click", openId, createTime);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Callable<HttpResponse<String>>> sends = IntStream.range(0, 20)
                    .<Callable<HttpResponse<String>>>mapToObj(i -> () -> client.send(xml)).toList();
            for (Future<HttpResponse<String>> answer : pool.invokeAll(sends)) {
                assertThat(answer.get().statusCode()).isEqualTo(200);
                assertThat(answer.get().body()).contains("Today's pick");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }

    @Test
    void distinctEventsInTheSameSecondAreNotRetries() {
        client.send(Fixtures.push("event-subscribe", openId, createTime));
        client.send(Fixtures.push("event-location", openId, createTime));
        String click = Fixtures.push("event-click", openId + "x", createTime);
        client.send(click);
        client.send(Fixtures.withEventKey(click, "V1002_OTHER"));

        assertThat(state.eventCount(openId)).isEqualTo(2);
        assertThat(state.eventCount(openId + "x")).isEqualTo(2);
    }

    // --- safe mode -------------------------------------------------------------------------

    @Test
    void safeModePushIsDecryptedAndTheReplyEncrypted() {
        HttpResponse<String> response = client.sendEncrypted(Fixtures.push("event-subscribe", openId, createTime));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("<MsgSignature>").contains("<TimeStamp>").contains("<Nonce>");
        assertThat(PushClient.decryptReply(response.body()))
                .contains("<ToUserName><![CDATA[" + openId + "]]></ToUserName>")
                .contains("Welcome! Thanks for following us.");
        assertThat(state.events(openId)).singleElement()
                .satisfies(row -> assertThat((String) row.get("raw_xml")).startsWith("<xml>").contains(openId));
    }

    @Test
    void safeModeReplySignatureVerifies() {
        String body = client.sendEncrypted(Fixtures.push("event-click", openId, createTime)).body();
        String encrypt = between(body, "<Encrypt><![CDATA[", "]]></Encrypt>");
        String signature = between(body, "<MsgSignature><![CDATA[", "]]></MsgSignature>");
        String timestamp = between(body, "<TimeStamp>", "</TimeStamp>");
        String nonce = between(body, "<Nonce><![CDATA[", "]]></Nonce>");
        assertThat(WechatSignature.sign(PushClient.TOKEN, timestamp, nonce, encrypt)).isEqualTo(signature);
    }

    @Test
    void safeModeWithoutReplyTextAnswersSuccess() {
        HttpResponse<String> response = client.sendEncrypted(Fixtures.push("event-view", openId, createTime));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("success");
    }

    @Test
    void compatibleModeBodyIsTreatedAsSafeMode() {
        String plain = Fixtures.push("event-subscribe", openId, createTime);
        String encrypted = new WechatCrypto(PushClient.AES_KEY, PushClient.APP_ID).encrypt(plain);
        String compatible = plain.replace("</xml>", "<Encrypt><![CDATA[" + encrypted + "]]></Encrypt></xml>");
        String ts = PushClient.now();
        String nonce = "123456";
        String query = "signature=" + WechatSignature.sign(PushClient.TOKEN, ts, nonce) + "&timestamp=" + ts
                + "&nonce=" + nonce + "&encrypt_type=aes&msg_signature=" + WechatSignature.sign(PushClient.TOKEN, ts, nonce, encrypted);

        HttpResponse<String> response = client.post("/wechat/demo?" + query, compatible);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(PushClient.decryptReply(response.body())).contains("Welcome!");
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }

    @Test
    void payloadSealedForAnotherAppIdIsRefused() {
        HttpResponse<String> response = client.sendEncrypted(Fixtures.push("event-subscribe", openId, createTime),
                new WechatCrypto(PushClient.AES_KEY, "wxSomeOtherAccount"));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("AppID");
        assertThat(state.eventCount(openId)).isZero();
    }

    @Test
    void wrongMsgSignatureIsForbidden() {
        String ts = PushClient.now();
        String encrypted = new WechatCrypto(PushClient.AES_KEY, PushClient.APP_ID).encrypt(Fixtures.push("event-subscribe", openId, createTime));
        String query = PushClient.signedQuery(ts) + "&encrypt_type=aes&msg_signature=" + "a".repeat(40);
        HttpResponse<String> response = client.post("/wechat/demo?" + query, "<xml><Encrypt><![CDATA[" + encrypted + "]]></Encrypt></xml>");
        assertThat(response.statusCode()).isEqualTo(403);
    }

    @Test
    void undecryptableAesPayloadIsBadRequest() {
        String ts = PushClient.now();
        String nonce = "42";
        String garbage = "bm90IHJlYWxseSBhZXMgYXQgYWxsLCBqdXN0IHRleHQ=";
        String query = "timestamp=" + ts + "&nonce=" + nonce + "&encrypt_type=aes&msg_signature="
                + WechatSignature.sign(PushClient.TOKEN, ts, nonce, garbage);
        HttpResponse<String> response = client.post("/wechat/demo?" + query, "<xml><Encrypt><![CDATA[" + garbage + "]]></Encrypt></xml>");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).doesNotContain("Exception");
    }

    // --- the bad-input table (docs/security.md) ------------------------------------------------------

    @Test
    void wrongOrMissingSignatureIsForbidden() {
        String xml = Fixtures.push("event-subscribe", openId, createTime);
        assertThat(client.post("/wechat/demo?signature=" + "0".repeat(40) + "&timestamp=" + PushClient.now() + "&nonce=1", xml).statusCode())
                .isEqualTo(403);
        HttpResponse<String> missing = client.post("/wechat/demo?timestamp=" + PushClient.now() + "&nonce=1", xml);
        assertThat(missing.statusCode()).isEqualTo(403);
        assertThat(missing.body()).isNotBlank().hasSizeLessThan(200);
        assertThat(state.eventCount(openId)).isZero();
    }

    @Test
    void unknownAccountIsNotFound() {
        HttpResponse<String> response = client.post("/wechat/nosuchaccount?" + PushClient.signedQuery(PushClient.now()),
                Fixtures.push("event-subscribe", openId, createTime));
        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void staleTimestampIsForbidden() {
        String old = Long.toString(System.currentTimeMillis() / 1000 - 3600);
        HttpResponse<String> response = client.post("/wechat/demo?" + PushClient.signedQuery(old), Fixtures.push("event-subscribe", openId, createTime));
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("timestamp");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "<xml><FromUserName>x</FromUserName>",
            "not xml at all",
            "<xml><ToUserName>a</ToUserName><CreateTime>123</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>",
            "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>event</MsgType><Event>subscribe</Event></xml>",
            "<xml><FromUserName>b</FromUserName><CreateTime>soon</CreateTime><MsgType>event</MsgType></xml>",
            "<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><xml><FromUserName>&xxe;</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType></xml>",
            "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><xml><FromUserName>&lol2;</FromUserName></xml>",
            "<xml><FromUserName>&unknown;</FromUserName><CreateTime>1</CreateTime><MsgType>event</MsgType></xml>",
    })
    void badXmlIsBadRequestWithAShortReason(String body) {
        HttpResponse<String> response = client.post("/wechat/demo?" + PushClient.signedQuery(PushClient.now()), body);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isNotBlank().hasSizeLessThan(200).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(response.body()).doesNotContain("root:");
    }

    @Test
    void deepNestingIsBadRequest() {
        String body = "<xml>" + "<a>".repeat(5_000) + "</a>".repeat(5_000) + "</xml>";
        assertThat(client.post("/wechat/demo?" + PushClient.signedQuery(PushClient.now()), body).statusCode()).isEqualTo(400);
    }

    @Test
    void bodyOverTheLimitIsTooLarge() {
        String body = Fixtures.push("event-subscribe", openId, createTime).replace("</xml>", "<Pad>" + "x".repeat(70 * 1024) + "</Pad></xml>");
        HttpResponse<String> response = client.post("/wechat/demo?" + PushClient.signedQuery(PushClient.now()), body);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(state.eventCount(openId)).isZero();
    }

    @Test
    void requestHeadersAreNotEchoedBack() {
        String query = PushClient.signedQuery(PushClient.now()) + "&openid=" + openId + "&probe=leak-me";
        HttpResponse<String> ok = client.exchange(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/wechat/demo?" + query))
                .header("X-Probe", "leak-me").POST(HttpRequest.BodyPublishers.ofString(Fixtures.push("event-view", openId, createTime))));
        HttpResponse<String> refused = client.exchange(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/wechat/demo?signature=1&probe=leak-me"))
                .header("X-Probe", "leak-me").POST(HttpRequest.BodyPublishers.ofString("<xml/>")));

        for (HttpResponse<String> response : List.of(ok, refused)) {
            assertThat(response.headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("x-probe")
                    || h.equalsIgnoreCase("probe") || h.equalsIgnoreCase("signature") || h.equalsIgnoreCase("openid")
                    || h.equalsIgnoreCase("account") || h.equalsIgnoreCase("timestamp"));
        }
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(refused.statusCode()).isEqualTo(403);
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start) + start.length();
        return text.substring(from, text.indexOf(end, from));
    }
}
