package com.wechathub.reply;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.wechathub.inbox.Inbox;
import com.wechathub.support.ApiAccount;
import com.wechathub.support.FakeWechatApi;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.ProdTestProperties;
import com.wechathub.support.PushClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Late replies (docs/wechat.md): a crm: reply the CRM answers after 6 s, past hub.reply.deadline (4 s).
 * The push is answered "success" in time, "typing" shows, then exactly one customer-service message.
 */
class LateReplyTests extends HubIntegrationTest {

    static final int CRM_DELAY = 6_000;

    @Autowired MeterRegistry registry;
    @Autowired Inbox inbox;

    PushClient api;

    @BeforeEach
    void apiAccount() {
        api = ApiAccount.client(port);
    }

    String click(String follower) {
        return Fixtures.withEventKey(Fixtures.push("event-click", follower, createTime), "K_CRM");
    }

    void crmAnswersLate(String follower, String json) {
        crm.stubFor(get(urlEqualTo("/replies/" + follower + "/K_CRM")).willReturn(okJson(json).withFixedDelay(CRM_DELAY)));
    }

    List<LoggedRequest> calls(String api, String follower) {
        return wechat.findAll(postRequestedFor(urlPathEqualTo("/cgi-bin/message/custom/" + api))
                .withRequestBody(matchingJsonPath("$.touser", equalTo(follower))));
    }

    Map<String, Object> awaitReplyStatus(String follower, String status) {
        await().atMost(Duration.ofSeconds(20)).until(() -> status.equals(state.events(follower).get(0).get("reply_status")));
        return state.events(follower).get(0);
    }

    record Timed(HttpResponse<String> answer, long millis, long startedAt) {
    }

    static Timed timed(java.util.function.Supplier<HttpResponse<String>> send) {
        long start = System.currentTimeMillis();
        HttpResponse<String> answer = send.get();
        return new Timed(answer, System.currentTimeMillis() - start, start);
    }

    @Test
    void aReplyNotReadyByTheDeadlineIsSentAsOneMessageAfterTyping() {
        String plain = openId;
        String safe = openId + "s";
        crmAnswersLate(plain, "{\"text\":\"Your parcel left the warehouse.\"}");
        crmAnswersLate(safe, "{\"text\":\"Your parcel left the warehouse.\"}");
        double sentBefore = late("sent");

        CompletableFuture<Timed> safeAnswer = CompletableFuture.supplyAsync(() -> timed(() -> api.sendEncrypted(click(safe))));
        Timed plainAnswer = timed(() -> api.send(click(plain)));
        Timed safeTimed = safeAnswer.join();

        for (Timed answer : List.of(plainAnswer, safeTimed)) {
            assertThat(answer.answer().statusCode()).isEqualTo(200);
            assertThat(answer.answer().body()).as("plain success, also in safe mode").isEqualTo("success");
            assertThat(answer.millis()).as("answered by the deadline").isBetween(3_500L, 5_000L);
        }
        for (String follower : List.of(plain, safe)) {
            Map<String, Object> event = awaitReplyStatus(follower, "sent");
            List<LoggedRequest> sends = calls("send", follower);
            List<LoggedRequest> typing = calls("typing", follower);
            assertThat(sends).hasSize(1);
            assertThat(typing).hasSize(1);
            assertThat(typing.get(0).getLoggedDate()).isBefore(sends.get(0).getLoggedDate());
            assertThat(typing.get(0).getBodyAsString()).isEqualTo("{\"touser\":\"" + follower + "\",\"command\":\"Typing\"}");
            assertThat(sends.get(0).queryParameter("access_token").firstValue()).isEqualTo(FakeWechatApi.TOKEN);
            assertThat(sends.get(0).getBodyAsString()).isEqualTo(
                    "{\"touser\":\"" + follower + "\",\"msgtype\":\"text\",\"text\":{\"content\":\"Your parcel left the warehouse.\"}}");
            long sentAfter = sends.get(0).getLoggedDate().getTime() - plainAnswer.startedAt();
            assertThat(sentAfter).as("ms from the push to the message; the CRM answers after %d", CRM_DELAY).isBetween((long) CRM_DELAY, CRM_DELAY + 3_000L);
            assertThat(event).containsEntry("reply_error", null).containsEntry("status", "done");
            assertThat(event).as("the node that took the reply over, by the id it claims events with").containsEntry("reply_claimed_by", inbox.node());
            assertThat((String) event.get("reply_message")).contains("Your parcel left the warehouse.");
            assertThat(event.get("reply_done_at")).isNotNull();
        }
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(late("sent") - sentBefore).isEqualTo(2));

        // The operator sees it with the event: GET /admin/events/{id} (every column, where the console
        // serves it), else the list of GET /admin/events.
        String id = (String) state.events(plain).get(0).get("id");
        HttpResponse<String> one = admin("/admin/events/" + id);
        HttpResponse<String> shown = one.statusCode() == 200 ? one : admin("/admin/events");
        assertThat(shown.body()).contains("\"replyStatus\":\"sent\"");
    }

    @Test
    void wechatsRetriesMeanwhileStillGiveOneMessage() {
        crmAnswersLate(openId, "{\"news\":{\"title\":\"Order 1042\",\"description\":\"Shipped today\",\"pic-url\":\"https://example.com/p.jpg\","
                + "\"url\":\"https://example.com/orders/1042\"}}");

        // A twin within the deadline (as a second node would see it) and a retry after the answer.
        CompletableFuture<HttpResponse<String>> twin = CompletableFuture.supplyAsync(() -> {
            await().pollDelay(Duration.ofMillis(500)).until(() -> state.eventCount(openId) == 1);
            return api.send(click(openId));
        });
        assertThat(api.send(click(openId)).body()).isEqualTo("success");
        assertThat(twin.join().body()).isEqualTo("success");
        Timed retry = timed(() -> api.send(click(openId)));
        assertThat(retry.answer().body()).isEqualTo("success");
        assertThat(retry.millis()).as("a retry whose reply is in hand is answered at once").isLessThan(1_000L);

        awaitReplyStatus(openId, "sent");
        // Both requests that asked the CRM have had its answer; still one message.
        await().atMost(Duration.ofSeconds(10)).until(() -> crm.findAll(com.github.tomakehurst.wiremock.client.WireMock
                .getRequestedFor(urlEqualTo("/replies/" + openId + "/K_CRM"))).size() == 2);
        await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5)).until(() -> calls("send", openId).size() == 1);
        wechat.verify(1, postRequestedFor(urlPathEqualTo("/cgi-bin/message/custom/send")).withRequestBody(equalToJson(
                "{\"touser\":\"" + openId + "\",\"msgtype\":\"news\",\"news\":{\"articles\":[{\"title\":\"Order 1042\","
                        + "\"description\":\"Shipped today\",\"url\":\"https://example.com/orders/1042\",\"picurl\":\"https://example.com/p.jpg\"}]}}")));
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }

    @Test
    void aCrmWithNoReplySendsNoMessage() {
        crm.stubFor(get(urlEqualTo("/replies/" + openId + "/K_CRM")).willReturn(aResponse().withStatus(204).withFixedDelay(CRM_DELAY)));

        assertThat(api.send(click(openId)).body()).isEqualTo("success");

        Map<String, Object> event = awaitReplyStatus(openId, "none");
        assertThat(calls("send", openId)).isEmpty();
        assertThat(event.get("reply_message")).isNull();
        // "typing" was shown once the deadline passed; nothing is coming, so it is cancelled
        await().atMost(Duration.ofSeconds(2)).until(() -> calls("typing", openId).size() == 2);
        assertThat(calls("typing", openId)).extracting(LoggedRequest::getBodyAsString).containsExactly(
                "{\"touser\":\"" + openId + "\",\"command\":\"Typing\"}", "{\"touser\":\"" + openId + "\",\"command\":\"CancelTyping\"}");
    }

    @Test
    void aMessageWechatRefusesIsMarkedFailedCountedAndNotSentAgain() {
        crmAnswersLate(openId, "{\"text\":\"Too late for WeChat\"}");
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/message/custom/send"))
                .willReturn(okJson(FakeWechatApi.error(45015, "response out of time limit or subscription is canceled"))));
        double failedBefore = late("failed");
        double refusedBefore = apiErrors("45015");

        assertThat(api.send(click(openId)).body()).isEqualTo("success");

        Map<String, Object> event = awaitReplyStatus(openId, "failed");
        assertThat((String) event.get("reply_error")).contains("45015").contains("out of the window");
        // Counted just after the row is marked.
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertThat(late("failed") - failedBefore).isEqualTo(1));
        assertThat(apiErrors("45015") - refusedBefore).isEqualTo(1);
        await().during(Duration.ofMillis(2_000)).atMost(Duration.ofSeconds(4)).until(() -> calls("send", openId).size() == 1);
        assertThat(state.events(openId).get(0)).containsEntry("reply_status", "failed");
    }

    @Test
    void aLateReplyOfAnAccountWithoutAnAppSecretIsMarkedFailed() {
        // Account demo has crm: menu replies but, in prod, no app-secret: nothing can send it later.
        crm.stubFor(get(urlEqualTo("/replies/" + openId + "/V2005_MY_ORDER_SLOW")).willReturn(okJson("{\"text\":\"late\"}").withFixedDelay(CRM_DELAY)));

        String clicked = Fixtures.withEventKey(Fixtures.push("event-click", openId, createTime), "V2005_MY_ORDER_SLOW");
        assertThat(client.send(clicked).body()).isEqualTo("success");

        Map<String, Object> event = awaitReplyStatus(openId, "failed");
        assertThat((String) event.get("reply_error")).contains("has no app-secret");
        assertThat(wechat.findAll(postRequestedFor(urlPathEqualTo("/cgi-bin/message/custom/typing")))).isEmpty();
    }

    @Test
    void theWindowCountsFromTheFollowersActionAndAReplyThatCannotArriveInTimeIsNotSent() {
        crmAnswersLate(openId, "{\"text\":\"Too late anyway\"}");
        // The follower clicked 50 s ago (WeChat's CreateTime); the push reached the hub only now.
        String clicked = Fixtures.withEventKey(Fixtures.push("event-click", openId, createTime - 50), "K_CRM");

        assertThat(api.send(clicked).body()).isEqualTo("success");

        Map<String, Object> event = awaitReplyStatus(openId, "expired");
        assertThat((String) event.get("reply_error")).contains("window");
        assertThat(calls("send", openId)).isEmpty();
        assertThat(calls("typing", openId)).isEmpty();
    }

    @Test
    void aBusyWechatIsAskedAgainAndTheReplySentOnce() {
        crmAnswersLate(openId, "{\"text\":\"Sent once WeChat had time\"}");
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/message/custom/send")).inScenario("busy").whenScenarioStateIs(STARTED)
                .willReturn(okJson(FakeWechatApi.error(-1, "system error"))).willSetStateTo("free"));
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/message/custom/send")).inScenario("busy").whenScenarioStateIs("free")
                .willReturn(okJson(FakeWechatApi.error(0, "ok"))));

        assertThat(api.send(click(openId)).body()).isEqualTo("success");

        awaitReplyStatus(openId, "sent");
        assertThat(calls("send", openId)).hasSize(2);
    }

    @Test
    void aCrmTextIsCutAndCleanedBeforeItIsSent() {
        crmAnswersLate(openId, "{\"text\":\"Line one\\u0007\\r\\nLine two " + "长".repeat(1000) + "\"}");

        assertThat(api.send(click(openId)).body()).isEqualTo("success");

        awaitReplyStatus(openId, "sent");
        String content = calls("send", openId).get(0).getBodyAsString();
        String text = content.substring(content.indexOf("\"content\":\"") + 11, content.lastIndexOf("\"}}"));
        assertThat(text).startsWith("Line one\\nLine two 长");
        assertThat(text.replace("\\n", "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(2048);
    }

    HttpResponse<String> admin(String path) {
        return client.exchange(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + ProdTestProperties.ADMIN_TOKEN).GET());
    }

    double late(String outcome) {
        Counter counter = registry.find("wechat.late.replies").tag("account", "api").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    double apiErrors(String errcode) {
        Counter counter = registry.find("wechat.api.errors").tag("account", "api").tag("errcode", errcode).counter();
        return counter == null ? 0 : counter.count();
    }
}
