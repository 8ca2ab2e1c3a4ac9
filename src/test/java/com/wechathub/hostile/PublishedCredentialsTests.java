package com.wechathub.hostile;

import com.wechathub.support.IntegrationTier;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubProcess;
import com.wechathub.support.PushClient;
import com.wechathub.support.TestDatabase;
import com.wechathub.support.TestSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;

/**
 * Whoever read the README or WeChat's samples knows their credentials. A prod hub serves no
 * example account, and refuses to start with an account whose token is blank or whose token or
 * AES key the shipped files publish, naming the key and never the value (docs/security.md).
 */
@IntegrationTier
class PublishedCredentialsTests {

    static final String DATABASE = "wechat_hub_shipped_" + TestSchema.schema();

    final WireMockServer crm = new WireMockServer(options().dynamicPort());

    @BeforeEach
    void start() {
        crm.start();
        crm.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok()));
    }

    @AfterEach
    void stop() {
        crm.stop();
        TestDatabase.POSTGRES.drop(DATABASE);
    }

    /** The example account of application.yaml's default profile: what an attacker reads in the repository. */
    static String shipped(String key) {
        try {
            for (PropertySource<?> document : new YamlPropertySourceLoader().load("application.yaml", new FileSystemResource("application.yaml"))) {
                if ("default".equals(String.valueOf(document.getProperty("spring.config.activate.on-profile")))) {
                    return String.valueOf(document.getProperty("wechat.accounts.demo." + key));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("application.yaml has no document for the default profile");
    }

    @Test
    void aProdHubStartedAsTheReadmeSaysAnswers404ToThePushesOfTheExampleAccount() {
        TestDatabase.POSTGRES.recreate(DATABASE);
        // README.md, "Run it": the prod profile, ./application.yaml, a database and a CRM; no account of its own
        try (HubProcess hub = HubProcess.startAsShipped("shipped-prod", List.of("--spring.profiles.active=prod",
                "--spring.datasource.url=" + TestDatabase.POSTGRES.url(DATABASE), "--hub.crm.base-url=" + crm.baseUrl(),
                "--hub.dedupe.key-prefix=wechat-dedupe-shipped"))) {
            PushClient example = new PushClient(hub.port(), "demo", shipped("token"), shipped("app-id"), shipped("encoding-aes-key"));
            String push = Fixtures.push("event-subscribe", "oshipped" + System.nanoTime(), System.currentTimeMillis() / 1000);

            assertThat(example.send(push).statusCode()).as(hub.tail()).isEqualTo(404);
            assertThat(example.sendEncrypted(push).statusCode()).isEqualTo(404);
            assertThat(example.get("/wechat/demo?" + signedQuery(shipped("token")) + "&echostr=abc123").statusCode()).isEqualTo(404);
            assertThat(TestDatabase.POSTGRES.jdbc(DATABASE).queryForObject("SELECT count(*) FROM wechat_event", Integer.class)).isZero();
            assertThat(crm.getAllServeEvents()).isEmpty();
            assertThat(hub.log()).contains("WARN").contains("No WeChat account is configured (wechat.accounts)");
        }
    }

    @Test
    void aProdHubRefusesABlankTokenAndPublishedCredentialsNamingEachKeyButNotItsValue() {
        String log = HubProcess.refusedStart("published-credentials", List.of("--spring.profiles.active=prod",
                "--spring.datasource.url=jdbc:h2:mem:published;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
                "--wechat.accounts.shop.token=",
                "--wechat.accounts.copied.token=" + shipped("token"),
                "--wechat.accounts.copied.app-id=wx00000000000copied",
                "--wechat.accounts.copied.encoding-aes-key=" + shipped("encoding-aes-key"),
                "--wechat.accounts.sample.token=spamtest",
                "--wechat.accounts.wxjava.token=pamtest",
                "--wechat.accounts.wxjava.app-id=wxb11529c136998cb6",
                "--wechat.accounts.wxjava.encoding-aes-key=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"));

        assertThat(log).contains("wechat.accounts.shop.token: blank")
                .contains("wechat.accounts.copied.token: is the published sample value; set your own")
                .contains("wechat.accounts.copied.encoding-aes-key: is the published sample value; set your own")
                .contains("wechat.accounts.sample.token: is the published sample value; set your own")
                .contains("wechat.accounts.wxjava.token: is the published sample value; set your own")
                .contains("wechat.accounts.wxjava.encoding-aes-key: is the published sample value; set your own")
                .doesNotContain(shipped("token")).doesNotContain("spamtest").doesNotContain("pamtest")
                .doesNotContain(shipped("encoding-aes-key")).doesNotContain("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
                .doesNotContain("Tomcat started");
    }

    static String signedQuery(String token) {
        String timestamp = PushClient.now();
        String nonce = "424242";
        return "signature=" + com.wechathub.wechat.WechatSignature.sign(token, timestamp, nonce) + "&timestamp=" + timestamp + "&nonce=" + nonce;
    }
}
