package com.wechathub.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.support.Fixtures;
import com.wechathub.support.PushClient;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * URL verification (GET) as an attacker uses it (docs/security.md): an old signed URL from a proxy log, an
 * echostr that is markup. The answer is only ever WeChat's echostr, as text/plain and nosniff.
 */
class UrlVerificationTests extends HostileHubTest {

    @Test
    void aFreshSignedUrlIsEchoedAsPlainTextThatIsNeverSniffed() {
        HttpResponse<String> response = client.get("/wechat/demo?" + PushClient.signedQuery(PushClient.now()) + "&echostr=5837397749013543");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("5837397749013543");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void aSignedUrlOlderThanTheTimestampWindowIsRefused() {
        String anHourAgo = Long.toString(System.currentTimeMillis() / 1000 - 3600);

        HttpResponse<String> response = client.get("/wechat/demo?" + PushClient.signedQuery(anHourAgo) + "&echostr=hello123");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).doesNotContain("hello123");
    }

    @ParameterizedTest
    @ValueSource(strings = {"<script>alert(1)</script>", "<xml><a/></xml>", "hello world", "a/b", "ok%0d%0aSet-Cookie:x=1", ""})
    void anEchostrThatIsNotLettersAndDigitsIsRefused(String echostr) {
        HttpResponse<String> response = client.get("/wechat/demo?" + PushClient.signedQuery(PushClient.now())
                + "&echostr=" + URLEncoder.encode(echostr, StandardCharsets.UTF_8));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("echostr must be 1 to 128 letters and digits");
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void anEchostrOfMoreThan128CharactersIsRefused() {
        String query = "/wechat/demo?" + PushClient.signedQuery(PushClient.now()) + "&echostr=";

        assertThat(client.get(query + "a".repeat(128)).statusCode()).isEqualTo(200);
        assertThat(client.get(query + "a".repeat(129)).statusCode()).isEqualTo(400);
    }

    @Test
    void everyAnswerOnTheCallbackUrlIsNosniff() {
        HttpResponse<String> refused = client.post("/wechat/demo?signature=0&timestamp=0&nonce=0", "<xml/>");
        HttpResponse<String> unknown = client.get("/wechat/nobody?" + PushClient.signedQuery(PushClient.now()) + "&echostr=1");
        HttpResponse<String> accepted = client.send(Fixtures.push("event-click", openId, createTime));

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(accepted.statusCode()).isEqualTo(200);
        for (HttpResponse<String> response : List.of(refused, unknown, accepted)) {
            assertThat(response.headers().firstValue("X-Content-Type-Options")).as(response.toString()).hasValue("nosniff");
        }
    }

    @Test
    void aVerificationUrlMayBeCheckedAgainWithAnotherEchostr() {
        String query = PushClient.signedQuery(PushClient.now());

        HttpResponse<String> first = client.get("/wechat/demo?" + query + "&echostr=12345");
        HttpResponse<String> again = client.get("/wechat/demo?" + query + "&echostr=67890");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo("67890");
    }

    @Test
    void aVerificationUrlsSignatureCannotCarryAPush() {
        String query = PushClient.signedQuery(PushClient.now());
        assertThat(client.get("/wechat/demo?" + query + "&echostr=12345").statusCode()).isEqualTo(200);

        HttpResponse<String> push = client.post("/wechat/demo?" + query + "&openid=o", Fixtures.push("event-subscribe", openId, createTime));

        assertThat(push.statusCode()).isEqualTo(403);
        assertThat(state.eventCount(openId)).isZero();
    }
}
