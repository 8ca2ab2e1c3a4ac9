package com.wechathub.reply;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.wechathub.support.ApiAccount;
import com.wechathub.support.FakeWechatApi;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.PushClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * A slow CRM cannot take the callback (docs/security.md): with 150 crm: menu replies hanging at the CRM,
 * a subscribe is still answered within WeChat's 5 s. A hub of its own, over real HTTP, against a
 * WireMock CRM that never answers in time and a fake WeChat API of its own (the late replies'
 * "typing" goes there).
 */
class SlowCrmRepliesTests extends HubIntegrationTest {

    static final int CLICKS = 150;

    @Autowired Environment suite;

    WireMockServer slowCrm;
    WireMockServer ownWechat;
    ExecutorService senders;

    @BeforeEach
    void servers() {
        slowCrm = new WireMockServer(options().dynamicPort().asynchronousResponseEnabled(true).asynchronousResponseThreads(8)
                .containerThreads(300));
        slowCrm.start();
        slowCrm.stubFor(WireMock.any(anyUrl()).willReturn(ok().withFixedDelay(30_000)));
        ownWechat = new WireMockServer(options().dynamicPort());
        ownWechat.start();
        FakeWechatApi.reset(ownWechat);
        senders = Executors.newFixedThreadPool(CLICKS);
    }

    @AfterEach
    void stopServers() {
        senders.shutdownNow();
        slowCrm.stop();
        ownWechat.stop();
    }

    @Test
    void withEveryCrmReplyHangingASubscribeIsStillAnsweredInTime() throws Exception {
        List<String> args = new ArrayList<>(ApiAccount.args());
        args.addAll(List.of("--hub.crm.base-url=" + slowCrm.baseUrl(), "--wechat.api.base-url=" + ownWechat.baseUrl(),
                "--hub.token.key-prefix=wechat-token-slow-crm-" + openId, "--hub.dispatch.enabled=false",
                "--spring.datasource.hikari.maximum-pool-size=4"));
        try (ConfigurableApplicationContext hub = startSecondHub(suite, "slow-crm", args.toArray(String[]::new))) {
            PushClient api = ApiAccount.client(port(hub));
            for (int i = 0; i < CLICKS; i++) {
                String click = Fixtures.withEventKey(Fixtures.push("event-click", openId + "c" + i, createTime), "K_CRM");
                senders.submit(() -> api.send(click));
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> slowCrm.findAll(anyRequestedFor(urlPathMatching("/replies/.*"))).size() >= 16);

            long start = System.nanoTime();
            HttpResponse<String> answer = api.send(Fixtures.push("event-subscribe", openId, createTime));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("<MsgType><![CDATA[news]]></MsgType>"); // account api's welcome-news
            assertThat(took).as("answered within WeChat's 5 s").isLessThan(Duration.ofSeconds(5));
        }
    }
}
