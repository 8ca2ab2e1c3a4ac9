package com.wechathub.hostile;

import com.wechathub.support.IntegrationTier;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.wechathub.support.ApiAccount;
import com.wechathub.support.DemoAccount;
import com.wechathub.support.FakeWechatApi;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubProcess;
import com.wechathub.support.PushClient;
import com.wechathub.support.TestDatabase;
import com.wechathub.support.TestSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No secret in any log at any level (docs/security.md): a prod hub logging everything (root DEBUG, the
 * hub's own classes TRACE) to a file receives plain and safe-mode pushes, a URL verification,
 * operator calls with right and wrong tokens, calls the CRM with its bearer token and WeChat's
 * API with an access token; then its whole log is searched for every secret it was given.
 */
@IntegrationTier
class SecretsInLogsTests {

    static final String DATABASE = "wechat_hub_logs_" + TestSchema.schema();
    static final String ADMIN_TOKEN = "admin-" + UUID.randomUUID();
    static final String CRM_TOKEN = "crm-" + UUID.randomUUID();

    final WireMockServer crm = new WireMockServer(options().dynamicPort());
    final WireMockServer wechat = new WireMockServer(options().dynamicPort());

    @BeforeEach
    void start() {
        crm.start();
        crm.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok()));
        wechat.start();
        FakeWechatApi.reset(wechat);
        TestDatabase.POSTGRES.recreate(DATABASE);
    }

    @AfterEach
    void stop() {
        crm.stop();
        wechat.stop();
        TestDatabase.POSTGRES.drop(DATABASE);
    }

    @Test
    void aHubLoggingEverythingLogsNoSecret() throws IOException {
        Path logFile = Path.of("target", "secrets-in-logs-file.log").toAbsolutePath();
        Files.deleteIfExists(logFile);
        List<String> args = new ArrayList<>(List.of("--spring.profiles.active=prod",
                "--spring.datasource.url=" + TestDatabase.POSTGRES.url(DATABASE),
                "--hub.dedupe.key-prefix=wechat-dedupe-logs-" + TestSchema.schema(),
                "--hub.token.key-prefix=wechat-token-logs-" + TestSchema.schema() + "-" + UUID.randomUUID(),
                "--hub.crm.base-url=" + crm.baseUrl(), "--hub.crm.token=" + CRM_TOKEN,
                "--wechat.api.base-url=" + wechat.baseUrl(), "--hub.admin.token=" + ADMIN_TOKEN,
                "--logging.level.root=DEBUG", "--logging.level.com.wechathub=TRACE", "--logging.file.name=" + logFile));
        args.addAll(ApiAccount.args());
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("demo token", DemoAccount.TOKEN);
        secrets.put("demo AES key", DemoAccount.AES_KEY);
        secrets.put("api token", ApiAccount.TOKEN);
        secrets.put("api AES key", ApiAccount.AES_KEY);
        secrets.put("api app-secret", ApiAccount.APP_SECRET);
        secrets.put("admin token", ADMIN_TOKEN);
        secrets.put("CRM token", CRM_TOKEN);
        secrets.put("access token", FakeWechatApi.TOKEN);

        String console;
        try (HubProcess hub = HubProcess.start("secrets-in-logs", args)) {
            PushClient demo = new PushClient(hub.port());
            PushClient api = ApiAccount.client(hub.port());
            long now = System.currentTimeMillis() / 1000;
            String plainFollower = "oplain" + System.nanoTime();
            String safeFollower = "osafe" + System.nanoTime();
            String apiFollower = "oapi" + System.nanoTime();

            assertThat(demo.send(Fixtures.push("event-subscribe", plainFollower, now)).statusCode()).as(hub.tail()).isEqualTo(200);
            assertThat(demo.sendEncrypted(Fixtures.push("event-subscribe", safeFollower, now)).statusCode()).isEqualTo(200);
            assertThat(demo.get("/wechat/demo?" + PushClient.signedQuery(PushClient.now()) + "&echostr=hello123").body()).isEqualTo("hello123");
            assertThat(api.sendEncrypted(Fixtures.push("event-subscribe", apiFollower, now)).statusCode()).isEqualTo(200);
            assertThat(demo.operator("GET", "/admin/events", ADMIN_TOKEN).statusCode()).isEqualTo(200);
            assertThat(demo.operator("GET", "/admin/summary", ADMIN_TOKEN + "x").statusCode()).isEqualTo(401);
            assertThat(demo.operator("GET", "/admin/summary", null).statusCode()).isEqualTo(401);

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                crm.verify(putRequestedFor(urlEqualTo("/bindings/demo/" + plainFollower)));
                crm.verify(putRequestedFor(urlEqualTo("/bindings/demo/" + safeFollower)));
                crm.verify(putRequestedFor(urlEqualTo("/bindings/api/" + apiFollower)));
                wechat.verify(getRequestedFor(urlPathEqualTo("/cgi-bin/user/info")));
            });
            crm.verify(putRequestedFor(urlEqualTo("/bindings/demo/" + plainFollower)).withHeader("Authorization", WireMock.equalTo("Bearer " + CRM_TOKEN)));
            wechat.verify(getRequestedFor(urlPathEqualTo("/cgi-bin/user/info")).withQueryParam("access_token", WireMock.equalTo(FakeWechatApi.TOKEN)));
            console = hub.log();
        }
        String file = Files.readString(logFile);
        assertThat(file).as("the log file is written at DEBUG").contains(" DEBUG ");

        SoftAssertions softly = new SoftAssertions();
        secrets.forEach((what, secret) -> {
            softly.assertThat(lineWith(console, secret)).as("%s in the console log", what).isNull();
            softly.assertThat(lineWith(file, secret)).as("%s in the log file", what).isNull();
        });
        softly.assertAll();
    }

    /** The first line holding the secret, for the failure message; null when none does. */
    static String lineWith(String log, String secret) {
        return log.lines().filter(line -> line.contains(secret)).findFirst()
                .map(line -> line.length() > 400 ? line.substring(0, 400) + "…" : line).orElse(null);
    }
}
