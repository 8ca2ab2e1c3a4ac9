package com.wechathub.wechat.api;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.wechathub.dispatch.BrokerQueue;
import com.wechathub.support.ApiAccount;
import com.wechathub.support.FakeWechatApi;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.PushClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * WeChat's API against WireMock as WeChat (SPEC §10.1, §10.2): the access token, user/info on a
 * subscribe and what it adds downstream, and how WeChat's refusals are handled.
 */
@ExtendWith(OutputCaptureExtension.class)
class WechatApiTests extends HubIntegrationTest {

    @Autowired RabbitTemplate rabbit;
    @Autowired MeterRegistry registry;
    @Autowired HealthEndpoint health;

    PushClient api;
    BrokerQueue broker;

    @BeforeEach
    void apiAccount() {
        api = ApiAccount.client(port);
        broker = new BrokerQueue(rabbit, "api.#");
    }

    @AfterEach
    void unbindQueue() {
        broker.close();
    }

    void subscribe(String follower) {
        assertThat(api.send(Fixtures.push("event-subscribe-scene", follower, createTime)).statusCode()).isEqualTo(200);
    }

    Map<String, Object> awaitStatus(String follower, String status) {
        await().atMost(Duration.ofSeconds(15)).until(() -> !state.events(follower).isEmpty()
                && status.equals(state.events(follower).get(0).get("status")));
        return state.events(follower).get(0);
    }

    List<LoggedRequest> userInfoCalls() {
        return wechat.findAll(getRequestedFor(urlPathEqualTo("/cgi-bin/user/info")));
    }

    int tokenRequests() {
        return wechat.findAll(postRequestedFor(urlPathEqualTo("/cgi-bin/stable_token"))).size();
    }

    @Test
    void aSubscribeAsksUserInfoAndTheCrmAndBrokerGetUnionidAndScene() {
        subscribe(openId);
        Map<String, Object> event = awaitStatus(openId, "done");

        wechat.verify(1, postRequestedFor(urlEqualTo("/cgi-bin/stable_token")).withRequestBody(equalToJson(
                "{\"grant_type\":\"client_credential\",\"appid\":\"" + ApiAccount.APP_ID + "\",\"secret\":\"" + ApiAccount.APP_SECRET + "\"}")));
        wechat.verify(1, getRequestedFor(urlPathEqualTo("/cgi-bin/user/info"))
                .withQueryParam("access_token", equalTo(FakeWechatApi.TOKEN))
                .withQueryParam("openid", equalTo(openId)).withQueryParam("lang", equalTo("zh_CN")));
        crm.verify(1, putRequestedFor(urlEqualTo("/bindings/api/" + openId))
                .withHeader("Idempotency-Key", equalTo((String) event.get("id")))
                .withRequestBody(equalToJson("{\"account\":\"api\",\"openid\":\"" + openId + "\",\"subscribed\":true,"
                        + "\"at\":\"${json-unit.any-string}\",\"scene\":\"123123\",\"ticket\":\"${json-unit.any-string}\","
                        + "\"unionid\":\"" + FakeWechatApi.UNIONID + "\",\"subscribeScene\":\"ADD_SCENE_QR_CODE\",\"qrSceneStr\":\"spring-poster\"}")));
        Message message = broker.await(openId, 1).get(0);
        assertThat(message.getMessageProperties().getReceivedRoutingKey()).isEqualTo("api.subscribe");
        assertThat(new String(message.getBody())).contains("\"unionid\":\"" + FakeWechatApi.UNIONID + "\"")
                .contains("\"subscribeScene\":\"ADD_SCENE_QR_CODE\"").contains("\"qrSceneStr\":\"spring-poster\"");
        assertThat(state.follower(openId)).containsEntry("unionid", FakeWechatApi.UNIONID).containsEntry("subscribed", true);
    }

    @Test
    void fieldsWechatDoesNotReturnAreAbsent() {
        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/user/info")).willReturn(okJson(
                "{\"subscribe\":1,\"openid\":\"" + openId + "\",\"subscribe_scene\":\"ADD_SCENE_SEARCH\",\"qr_scene\":0,\"qr_scene_str\":\"\"}")));
        subscribe(openId);
        awaitStatus(openId, "done");

        LoggedRequest binding = crm.findAll(putRequestedFor(urlEqualTo("/bindings/api/" + openId))).get(0);
        assertThat(binding.getBodyAsString()).contains("\"subscribeScene\":\"ADD_SCENE_SEARCH\"")
                .doesNotContain("unionid").doesNotContain("qrSceneStr");
        assertThat(state.follower(openId)).containsEntry("unionid", null);
    }

    @Test
    void anAccountWithoutAnAppSecretCallsNoWechatApi() {
        client.send(Fixtures.push("event-subscribe", openId, createTime)); // account demo: no app-secret in prod
        awaitStatus(openId, "done");

        wechat.verify(0, anyRequestedFor(anyUrl()));
        LoggedRequest binding = crm.findAll(putRequestedFor(urlEqualTo("/bindings/demo/" + openId))).get(0);
        assertThat(binding.getBodyAsString()).doesNotContain("unionid").doesNotContain("subscribeScene").doesNotContain("qrSceneStr");
    }

    @Test
    void oneTokenServesEveryCallUntilItExpires() {
        List<String> followers = List.of(openId + "a", openId + "b", openId + "c");
        followers.forEach(this::subscribe);
        followers.forEach(f -> awaitStatus(f, "done"));

        assertThat(tokenRequests()).isEqualTo(1);
        assertThat(userInfoCalls()).hasSize(3)
                .allSatisfy(call -> assertThat(call.queryParameter("access_token").firstValue()).isEqualTo(FakeWechatApi.TOKEN));
        assertThat(wechat.findAll(postRequestedFor(urlPathEqualTo("/cgi-bin/stable_token"))))
                .allSatisfy(call -> assertThat(call.getBodyAsString()).doesNotContain("force_refresh"));
    }

    @Test
    void aTokenWechatRefusesOnceIsReplacedAndTheCallRetriedOnce() {
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/stable_token")).inScenario("token").whenScenarioStateIs(STARTED)
                .willReturn(okJson("{\"access_token\":\"OLD-TOKEN\",\"expires_in\":7200}")).willSetStateTo("second"));
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/stable_token")).inScenario("token").whenScenarioStateIs("second")
                .willReturn(okJson("{\"access_token\":\"NEW-TOKEN\",\"expires_in\":7200}")));
        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/user/info")).withQueryParam("access_token", equalTo("OLD-TOKEN"))
                .willReturn(okJson(FakeWechatApi.error(40001, "invalid credential, access_token is invalid or not latest"))));

        subscribe(openId);
        Map<String, Object> event = awaitStatus(openId, "done");

        assertThat(tokenRequests()).isEqualTo(2);
        assertThat(userInfoCalls()).extracting(call -> call.queryParameter("access_token").firstValue())
                .containsExactly("OLD-TOKEN", "NEW-TOKEN");
        assertThat(event).containsEntry("attempts", 1);
        crm.verify(1, putRequestedFor(urlEqualTo("/bindings/api/" + openId))
                .withRequestBody(equalToJson("{\"unionid\":\"" + FakeWechatApi.UNIONID + "\"}", true, true)));
        // The new token is the one kept: the next call uses it without asking again.
        subscribe(openId + "2");
        awaitStatus(openId + "2", "done");
        assertThat(tokenRequests()).isEqualTo(2);
        assertThat(userInfoCalls()).last().satisfies(call -> assertThat(call.queryParameter("access_token").firstValue()).isEqualTo("NEW-TOKEN"));
    }

    @Test
    void aTokenWechatAlwaysRefusesIsRetriedOncePerAttemptAndTheEventLater(CapturedOutput output) {
        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/user/info"))
                .willReturn(okJson(FakeWechatApi.error(40001, "invalid credential, access_token is invalid or not latest"))));

        subscribe(openId);
        Map<String, Object> event = awaitStatus(openId, "dead");

        int attempts = ((Number) event.get("attempts")).intValue();
        assertThat(attempts).isEqualTo(6); // hub.dispatch.max-attempts in the tests
        assertThat(userInfoCalls()).hasSize(2 * attempts);
        assertThat(tokenRequests()).isEqualTo(2 * attempts);
        assertThat((String) event.get("last_error")).contains("40001");
        crm.verify(0, putRequestedFor(urlEqualTo("/bindings/api/" + openId)));
        assertThat(output.getAll()).doesNotContain(FakeWechatApi.TOKEN).doesNotContain(ApiAccount.APP_SECRET);
        assertThat((String) event.get("last_error")).doesNotContain(FakeWechatApi.TOKEN);
    }

    @Test
    void aQuotaErrorFailsTheCallWithoutALoopAndIsCounted() {
        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/user/info")).willReturn(okJson(FakeWechatApi.error(45009, "reach max api daily quota limit"))));
        double before = quotaErrors();

        subscribe(openId);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Object error = state.events(openId).get(0).get("last_error");
            return error != null && error.toString().contains("45009");
        });
        Map<String, Object> event = state.events(openId).get(0);

        int attempts = ((Number) event.get("attempts")).intValue();
        assertThat(userInfoCalls().size()).as("one call per attempt").isBetween(attempts, attempts + 1);
        assertThat(tokenRequests()).isEqualTo(1);
        assertThat(quotaErrors() - before).isGreaterThanOrEqualTo(1);
        crm.verify(0, putRequestedFor(urlEqualTo("/bindings/api/" + openId)));
    }

    double quotaErrors() {
        Counter counter = registry.find("wechat.api.errors").tag("account", "api").tag("errcode", "45009").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void healthShowsTheTokenStateAndIsUpBeforeTheFirstToken() {
        HealthComponent before = health.healthForPath("wechatApi");
        assertThat(before.getStatus()).isEqualTo(Status.UP);
        assertThat(details(before)).containsKey("api");
        assertThat(details(before).get("api").toString()).contains("none kept");

        subscribe(openId);
        awaitStatus(openId, "done");

        HealthComponent after = health.healthForPath("wechatApi");
        assertThat(after.getStatus()).isEqualTo(Status.UP);
        assertThat(details(after).get("api").toString()).contains("kept, used for").contains("lastOutcome=ok")
                .doesNotContain(FakeWechatApi.TOKEN);
        assertThat(details(after)).doesNotContainKey("demo"); // no app-secret: no token
    }

    @Test
    void healthIsDownWhileWechatRefusesTheAccountAToken() {
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/stable_token")).willReturn(okJson(FakeWechatApi.error(40125, "invalid appsecret"))));
        subscribe(openId);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Object error = state.events(openId).get(0).get("last_error");
            return error != null && error.toString().contains("40125");
        });
        HealthComponent refused = health.healthForPath("wechatApi");
        assertThat(refused.getStatus()).isEqualTo(Status.DOWN);
        assertThat(details(refused).get("api").toString()).contains("errcode 40125").doesNotContain(ApiAccount.APP_SECRET);
        assertThat(userInfoCalls()).isEmpty();

        FakeWechatApi.reset(wechat); // the operator fixed the secret: the event's retry gets a token
        awaitStatus(openId, "done");
        assertThat(health.healthForPath("wechatApi").getStatus()).isEqualTo(Status.UP);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> details(HealthComponent component) {
        return ((org.springframework.boot.actuate.health.Health) component).getDetails();
    }
}
