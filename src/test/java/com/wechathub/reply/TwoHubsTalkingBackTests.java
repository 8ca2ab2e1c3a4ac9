package com.wechathub.reply;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.wechathub.support.ApiAccount;
import com.wechathub.support.FakeWechatApi;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.HubProcess;
import com.wechathub.support.PushClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

/**
 * Two hubs sharing Redis and PostgreSQL (this test's own, and one in a JVM of its own that can be
 * killed): one access token for both, kept across a restart (docs/wechat.md), and a late reply whose
 * node dies after answering the push is sent by the other (docs/wechat.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoHubsTalkingBackTests extends HubIntegrationTest {

    static HubProcess other;

    @Autowired Environment environment;

    HubProcess other() {
        if (other == null || !ProcessHandle.of(other.pid()).map(ProcessHandle::isAlive).orElse(false)) {
            other = HubProcess.start("two-hubs-talking-back", otherArgs());
            warmUp(other);
        }
        return other;
    }

    /**
     * A JVM fresh from start-up on a busy 2-core machine can miss the prod profile's 500 ms Redis
     * timeout on its first commands (the event is then retried, by either hub); a few pushes of
     * account demo (no WeChat API) warm it up without touching the token.
     */
    void warmUp(HubProcess hub) {
        PushClient demo = new PushClient(hub.port());
        long run = System.nanoTime(); // a restarted hub warms up with other pushes: these are deduplicated for 10 min
        List<String> warm = IntStream.range(0, 5).mapToObj(i -> "owarm" + i + "x" + run).toList();
        warm.forEach(f -> demo.send(Fixtures.push("event-subscribe", f, createTime)));
        awaitDone(warm);
        warm.forEach(f -> jdbc.update("DELETE FROM wechat_event WHERE open_id = ?", f));
    }

    /** The same database (and schema), Redis keys, CRM and WeChat as this test's hub, and account "api". */
    List<String> otherArgs() {
        List<String> args = new ArrayList<>(List.of("--spring.profiles.active=prod",
                "--spring.datasource.url=" + environment.getProperty("spring.datasource.url"),
                "--hub.dedupe.key-prefix=" + environment.getProperty("hub.dedupe.key-prefix"),
                "--hub.token.key-prefix=" + environment.getProperty("hub.token.key-prefix"),
                "--hub.crm.base-url=" + crm.baseUrl(),
                "--hub.crm.token=crm-test-token", "--wechat.api.base-url=" + wechat.baseUrl(),
                "--hub.dispatch.poll-interval=50", "--hub.dispatch.batch-size=5", "--hub.reply.lease=3s", "--hub.reply.poll-interval=500",
                "--camel.main.name=other-hub"));
        for (String key : List.of("spring.flyway.schemas", "hub.database.schema")) {
            String value = environment.getProperty(key);
            if (value != null && !value.isBlank()) {
                args.add("--" + key + "=" + value);
            }
        }
        args.addAll(ApiAccount.args());
        return args;
    }

    @AfterAll
    static void stopOther() {
        if (other != null) {
            other.close();
        }
    }

    void awaitDone(List<String> followers) {
        await().atMost(Duration.ofSeconds(30)).until(() -> followers.stream().allMatch(f ->
                state.events(f).size() == 1 && "done".equals(state.events(f).get(0).get("status"))));
    }

    int tokenRequests() {
        return wechat.findAll(postRequestedFor(urlPathEqualTo("/cgi-bin/stable_token"))).size();
    }

    @Test
    @Order(1)
    void twentySubscribesOverTwoHubsMakeOneTokenRequestAndTheTokenOutlivesARestart() throws Exception {
        // A slow token endpoint and small batches (5 per poll on both): both hubs claim events and
        // need a token while the first token request is still out.
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/stable_token"))
                .willReturn(okJson("{\"access_token\":\"" + FakeWechatApi.TOKEN + "\",\"expires_in\":7200}").withFixedDelay(500)));
        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/user/info")).willReturn(okJson(FakeWechatApi.USER_INFO).withFixedDelay(50)));
        PushClient[] hubs = {ApiAccount.client(port), ApiAccount.client(other().port())};
        List<String> followers = IntStream.range(0, 20).mapToObj(i -> "o2h" + i + openId.substring(1, 16)).toList();
        ExecutorService threads = Executors.newFixedThreadPool(10);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < followers.size(); i++) {
                PushClient hub = hubs[i % 2];
                String push = Fixtures.push("event-subscribe", followers.get(i), createTime);
                answers.add(threads.submit(() -> hub.send(push)));
            }
            for (Future<HttpResponse<String>> answer : answers) {
                assertThat(answer.get().statusCode()).isEqualTo(200);
            }
        } finally {
            threads.shutdownNow();
        }
        awaitDone(followers);

        assertThat(tokenRequests()).as("stable_token requests from both hubs").isEqualTo(1);
        List<LoggedRequest> userInfo = wechat.findAll(getRequestedFor(urlPathEqualTo("/cgi-bin/user/info")));
        assertThat(userInfo).hasSize(20)
                .allSatisfy(call -> assertThat(call.queryParameter("access_token").firstValue()).isEqualTo(FakeWechatApi.TOKEN));
        // By JVM: this JVM may hold other cached test contexts whose dispatchers claim from the same inbox.
        List<String> jvms = jdbc.queryForList("SELECT DISTINCT claimed_by FROM wechat_event", String.class).stream()
                .map(node -> node.substring(0, node.indexOf('@'))).distinct().toList();
        assertThat(jvms).as("both hubs dispatched")
                .containsExactlyInAnyOrder(String.valueOf(ProcessHandle.current().pid()), String.valueOf(other.pid()));

        // The other hub restarts (a new JVM): it takes the kept token, as does this one.
        other.kill();
        List<String> later = List.of(openId + "r1", openId + "r2", openId + "r3", openId + "r4");
        PushClient restarted = ApiAccount.client(other().port());
        for (int i = 0; i < later.size(); i++) {
            (i % 2 == 0 ? restarted : hubs[0]).send(Fixtures.push("event-subscribe", later.get(i), createTime));
        }
        awaitDone(later);
        assertThat(tokenRequests()).as("stable_token requests after the restart").isEqualTo(1);
        assertThat(wechat.findAll(getRequestedFor(urlPathEqualTo("/cgi-bin/user/info")))).hasSize(24)
                .allSatisfy(call -> assertThat(call.queryParameter("access_token").firstValue()).isEqualTo(FakeWechatApi.TOKEN));
    }

    @Test
    @Order(2)
    void aLateReplyWhoseNodeDiesAfterAnsweringIsSentByTheOtherNode() {
        HubProcess dying = other();
        crm.stubFor(get(urlEqualTo("/replies/" + openId + "/K_CRM"))
                .willReturn(okJson("{\"text\":\"Sent by whichever node is alive.\"}").withFixedDelay(6_000)));
        String click = Fixtures.withEventKey(Fixtures.push("event-click", openId, createTime), "K_CRM");

        HttpResponse<String> answer = ApiAccount.client(dying.port()).send(click);
        assertThat(answer.body()).isEqualTo("success");
        Map<String, Object> waiting = state.events(openId).get(0);
        dying.kill(); // right after its answer, while it waits for the CRM
        assertThat(waiting).containsEntry("reply_status", "waiting");
        String deadNode = (String) waiting.get("reply_claimed_by");

        await().atMost(Duration.ofSeconds(30)).until(() -> "sent".equals(state.events(openId).get(0).get("reply_status")));
        Map<String, Object> sent = state.events(openId).get(0);
        assertThat(sent.get("reply_claimed_by")).as("the node that sent it").isNotEqualTo(deadNode);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> wechat.findAll(
                postRequestedFor(urlPathEqualTo("/cgi-bin/message/custom/send"))
                        .withRequestBody(matchingJsonPath("$.touser", equalTo(openId)))).size() == 1);
        wechat.verify(1, postRequestedFor(urlPathEqualTo("/cgi-bin/message/custom/send"))
                .withRequestBody(matchingJsonPath("$.text.content", equalTo("Sent by whichever node is alive."))));
        // Both nodes asked the CRM for the same event's reply, so the CRM can tell it is one request.
        List<LoggedRequest> asked = crm.findAll(getRequestedFor(urlEqualTo("/replies/" + openId + "/K_CRM")));
        assertThat(asked).hasSize(2).allSatisfy(r -> assertThat(r.getHeader("Idempotency-Key")).isEqualTo(sent.get("id")));
    }
}
