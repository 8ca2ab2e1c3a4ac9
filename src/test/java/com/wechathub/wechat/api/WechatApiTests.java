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
import com.wechathub.support.TestSchema;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * WeChat's API against WireMock as WeChat (docs/wechat.md): the access token, user/info on a
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
        // 1st attempt: refused, a force_refresh (WeChat answers the same token), refused again; 2nd: normal mode
        // answers it again and no force_refresh is allowed for 30 s; later attempts know that without asking.
        assertThat(userInfoCalls()).hasSize(attempts + 1);
        assertThat(tokenRequests()).isEqualTo(4);
        assertThat(FakeWechatApi.forceRefreshCalls(wechat)).isEqualTo(1);
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

        await().atMost(Duration.ofSeconds(10)).until(() -> ((Number) state.events(openId).get(0).get("attempts")).intValue() >= 3);
        assertThat(userInfoCalls()).as("the API backs off: no call while its quota is used up").hasSize(1);
        assertThat(tokenRequests()).isEqualTo(1);
        assertThat(quotaErrors() - before).isEqualTo(1);
        crm.verify(0, putRequestedFor(urlEqualTo("/bindings/api/" + openId)));
        HealthComponent warned = health.healthForPath("wechatApi");
        assertThat(warned.getStatus()).as("the account's other APIs still work").isEqualTo(Status.UP);
        assertThat(details(warned).get("api").toString()).contains("warning /cgi-bin/user/info").contains("errcode 45009");
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
    void aRefusedTokenRequestIsAskedOnceForEveryEventAndHealthNamesTheAccountAndErrcode(CapturedOutput output) {
        FakeWechatApi.refuses(wechat, "/cgi-bin/stable_token", 40125, "invalid appsecret");
        List<String> followers = List.of(openId + "a", openId + "b", openId + "c");
        followers.forEach(this::subscribe);
        await().atMost(Duration.ofSeconds(15)).until(() -> followers.stream().allMatch(f -> !state.events(f).isEmpty()
                && String.valueOf(state.events(f).get(0).get("last_error")).contains("40125")));
        // Deferred, not failed: tried again at most hub.dispatch.max-backoff (1 s here) apart without
        // spending attempts — 6 attempts would have made them dead by now — and none asks WeChat again.
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> followers.stream().allMatch(this::deferred));
        assertThat(tokenRequests()).as("one token request, remembered for its backoff").isEqualTo(1);
        assertThat(userInfoCalls()).isEmpty();
        assertThat((String) state.events(openId + "a").get(0).get("last_error")).contains("40125").contains("not asked again until");

        HealthComponent refused = health.healthForPath("wechatApi");
        assertThat(refused.getStatus()).isEqualTo(Status.DOWN);
        assertThat(details(refused).get("api").toString()).contains("errcode 40125").contains("AppSecret is invalid")
                .contains(ApiAccount.APP_ID).doesNotContain(ApiAccount.APP_SECRET);
        assertThat(output.getAll()).doesNotContain(ApiAccount.APP_SECRET);

        // The operator fixes it on WeChat's side; once the backoff is over (cut short here), the events' retries get a token.
        FakeWechatApi.reset(wechat);
        redis.delete(TestSchema.tokenKeyPrefix() + ":" + ApiAccount.APP_ID + ":note:backoff");
        followers.forEach(f -> assertThat(awaitStatus(f, "done")).containsEntry("attempts", 1));
        assertThat(health.healthForPath("wechatApi").getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void anEventWhoseAccountIsRefusedLongerThanMaxDeferEndsDead() {
        FakeWechatApi.refuses(wechat, "/cgi-bin/stable_token", 40125, "invalid appsecret");
        subscribe(openId);
        await().atMost(Duration.ofSeconds(15)).until(() -> !state.events(openId).isEmpty()
                && String.valueOf(state.events(openId).get(0).get("last_error")).contains("40125"));
        assertThat(deferred(openId)).isTrue();

        // Its push is now older than hub.dispatch.max-defer (1 day): each failure counts again.
        jdbc.update("UPDATE wechat_event SET received_at = received_at - INTERVAL '2 days' WHERE open_id = ?", openId);
        Map<String, Object> event = awaitStatus(openId, "dead");
        assertThat(event).containsEntry("attempts", 6); // hub.dispatch.max-attempts in the tests
        assertThat((String) event.get("last_error")).contains("40125");
    }

    /** Waiting out WeChat's backoff of the account: pending (or in its attempt right now), no attempt spent. */
    boolean deferred(String follower) {
        Map<String, Object> event = state.events(follower).get(0);
        return List.of("pending", "claimed").contains(event.get("status")) && ((Number) event.get("attempts")).intValue() <= 1;
    }

    @Test
    void anIpNotOnTheAllowListStopsEveryCallOfTheAccountForItsBackoff() {
        FakeWechatApi.refuses(wechat, "/cgi-bin/user/info", 40164, "invalid ip 203.0.113.9 ipv6 ::ffff:203.0.113.9, not in whitelist");
        subscribe(openId + "a");
        subscribe(openId + "b");
        await().atMost(Duration.ofSeconds(15)).until(() -> Stream.of("a", "b").allMatch(f -> !state.events(openId + f).isEmpty()
                && String.valueOf(state.events(openId + f).get(0).get("last_error")).contains("40164")));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> Stream.of("a", "b").allMatch(f -> deferred(openId + f)));
        // both events may be out at once when the first refusal comes; after it, no attempt asks WeChat
        assertThat(userInfoCalls()).as("the first refusal stops the others").hasSizeLessThanOrEqualTo(2);
        assertThat(health.healthForPath("wechatApi").getStatus()).isEqualTo(Status.DOWN);
        assertThat(details(health.healthForPath("wechatApi")).get("api").toString()).contains("40164").contains("203.0.113.9");
    }

    @Test
    void whenNormalModeAnswersTheRefusedTokenAgainOneForceRefreshGetsANewOne() {
        FakeWechatApi.reissuesTheSameToken(wechat, "OLD-TOKEN", "NEW-TOKEN");
        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/user/info")).withQueryParam("access_token", equalTo("OLD-TOKEN"))
                .willReturn(okJson(FakeWechatApi.error(40001, "invalid credential, access_token is invalid or not latest"))));

        subscribe(openId);
        Map<String, Object> event = awaitStatus(openId, "done");

        assertThat(FakeWechatApi.forceRefreshCalls(wechat)).isEqualTo(1);
        assertThat(userInfoCalls()).extracting(call -> call.queryParameter("access_token").firstValue())
                .containsExactly("OLD-TOKEN", "NEW-TOKEN");
        assertThat(event).containsEntry("attempts", 1);
        assertThat(registry.get("wechat.api.token.force.refresh").tag("account", "api").tag("outcome", "granted").counter().count())
                .isGreaterThanOrEqualTo(1);
        subscribe(openId + "2");
        awaitStatus(openId + "2", "done");
        assertThat(FakeWechatApi.forceRefreshCalls(wechat)).isEqualTo(1);
        assertThat(tokenRequests()).isEqualTo(3); // OLD, OLD again, then NEW forced; the next subscribe asks nothing
    }

    @Test
    void aTokenRefusedAgainAfterAForceRefreshWaitsForTheNextOneInsteadOfLooping() {
        FakeWechatApi.reissuesTheSameToken(wechat, "OLD-TOKEN", "NEW-TOKEN");
        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/user/info"))
                .willReturn(okJson(FakeWechatApi.error(40001, "invalid credential, access_token is invalid or not latest"))));

        subscribe(openId);
        await().atMost(Duration.ofSeconds(15)).until(() -> ((Number) state.events(openId).get(0).get("attempts")).intValue() >= 4);
        assertThat(FakeWechatApi.forceRefreshCalls(wechat)).as("one per 30 s for the AppID").isEqualTo(1);
        assertThat((String) state.events(openId).get(0).get("last_error")).contains("retried later");
    }

    @ParameterizedTest
    @ValueSource(ints = {48001, 43004})
    void aPermanentUserInfoRefusalBindsWithoutTheDetailsAndSaysWhy(int errcode) {
        FakeWechatApi.refuses(wechat, "/cgi-bin/user/info", errcode, "refused");
        double before = skipped("errcode_" + errcode);

        subscribe(openId);
        Map<String, Object> event = awaitStatus(openId, "done");

        assertThat(event).containsEntry("attempts", 1);
        assertThat((String) event.get("api_note")).contains("errcode " + errcode);
        assertThat(userInfoCalls()).hasSize(1);
        LoggedRequest binding = crm.findAll(putRequestedFor(urlEqualTo("/bindings/api/" + openId))).get(0);
        assertThat(binding.getBodyAsString()).contains("\"subscribed\":true").doesNotContain("unionid");
        assertThat(skipped("errcode_" + errcode) - before).isEqualTo(1);
    }

    @Test
    void aSubscribeOlderThanTheMaxAgeIsNotEnriched() {
        assertThat(api.send(Fixtures.push("event-subscribe-scene", openId, createTime - 7200)).statusCode()).isEqualTo(200);
        Map<String, Object> event = awaitStatus(openId, "done");

        assertThat(userInfoCalls()).isEmpty();
        assertThat((String) event.get("api_note")).contains("older than");
        crm.verify(1, putRequestedFor(urlEqualTo("/bindings/api/" + openId)));
    }

    @Test
    void aSubscribeWhoseFollowerUnfollowedSinceIsNotEnriched() {
        assertThat(api.send(Fixtures.push("event-unsubscribe", openId, createTime + 10)).statusCode()).isEqualTo(200);
        awaitStatus(openId, "done");
        subscribe(openId); // older than the unsubscribe: WeChat delivered it late
        await().atMost(Duration.ofSeconds(15)).until(() -> state.events(openId).size() == 2
                && "done".equals(state.events(openId).get(1).get("status")));

        assertThat(userInfoCalls()).isEmpty();
        assertThat((String) state.events(openId).get(1).get("api_note")).contains("unfollowed");
    }

    double skipped(String reason) {
        Counter counter = registry.find("wechat.follower.details.skipped").tag("account", "api").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> details(HealthComponent component) {
        return ((org.springframework.boot.actuate.health.Health) component).getDetails();
    }
}
