package com.wechathub.deploy;

import com.wechathub.support.IntegrationTier;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubProcess;
import com.wechathub.support.PushClient;
import com.wechathub.support.TestDatabase;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The jar deployed as an operator deploys it: the prod profile, a fresh database given by nothing
 * but Spring Boot's own {@code spring.datasource.url} (no schema parameter, no username), an
 * account given only by environment variables. Each hub runs in its own JVM from the repository
 * root, like {@code java -jar}.
 */
@IntegrationTier
class DeploymentTests {

    static final String DATABASE = "wechat_hub_deploy";

    final WireMockServer crm = new WireMockServer(options().dynamicPort());

    @BeforeEach
    void startCrm() {
        crm.start();
        crm.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok()));
    }

    @AfterEach
    void cleanUp() {
        crm.stop();
        TestDatabase.POSTGRES.drop(DATABASE);
        TestDatabase.MARIADB.drop(DATABASE);
    }

    @Test
    void aPlainUrlToAFreshPostgresDatabaseRecordsAnswersAndDispatches() {
        assertRecordsAnswersAndDispatches(TestDatabase.POSTGRES, "jdbc:postgresql://127.0.0.1:5432/" + DATABASE);
    }

    @Test
    void aPlainUrlToAFreshMariaDbDatabaseRecordsAnswersAndDispatches() {
        assertRecordsAnswersAndDispatches(TestDatabase.MARIADB, "jdbc:mariadb://127.0.0.1:3306/" + DATABASE);
    }

    @Test
    void aMySqlUrlWorksWithTheMySqlDriver() {
        assertRecordsAnswersAndDispatches(TestDatabase.MARIADB, "jdbc:mysql://127.0.0.1:3306/" + DATABASE);
    }

    private void assertRecordsAnswersAndDispatches(TestDatabase server, String url) {
        server.recreate(DATABASE);
        String openId = "odeploy" + System.nanoTime();
        try (HubProcess hub = HubProcess.start("deploy-" + server.name().toLowerCase(), List.of(
                "--spring.profiles.active=prod", "--spring.datasource.url=" + url,
                "--hub.crm.base-url=" + crm.baseUrl(), "--hub.dedupe.key-prefix=wechat-dedupe-deploy"))) {
            HttpResponse<String> answer = new PushClient(hub.port())
                    .send(Fixtures.push("event-subscribe", openId, System.currentTimeMillis() / 1000));

            assertThat(answer.statusCode()).as(hub.tail()).isEqualTo(200);
            assertThat(answer.body()).contains("Welcome!");
            JdbcTemplate jdbc = server.jdbc(DATABASE);
            // the tables are where a person looking at that database expects them: its default schema
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                    jdbc.queryForList("SELECT status FROM wechat_event WHERE open_id = ?", String.class, openId))
                    .containsExactly("done"));
            crm.verify(1, putRequestedFor(urlEqualTo("/bindings/demo/" + openId)));
            assertThat(new PushClient(hub.managementPort()).get("/actuator/health/readiness").body())
                    .contains("\"inbox\":{\"status\":\"UP\"");
        }
    }

    /** On Kubernetes a whole account comes from a Secret as environment variables: no YAML at all. */
    @Test
    void anAccountGivenOnlyByEnvironmentVariablesAnswersSignedPlainAndSafeModePushes() {
        String token = "env-token-7f3a";
        String appId = "wx00000000000000env";
        String aesKey = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut";
        Map<String, String> environment = Map.of(
                "WECHAT_ACCOUNTS_SHOP_TOKEN", token,
                "WECHAT_ACCOUNTS_SHOP_APPID", appId,
                "WECHAT_ACCOUNTS_SHOP_ENCODINGAESKEY", aesKey,
                "WECHAT_ACCOUNTS_SHOP_WELCOME", "Welcome to the shop");
        List<String> args = new ArrayList<>(List.of(
                "--spring.datasource.url=jdbc:h2:mem:env-account;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
                "--hub.dispatch.enabled=false"));
        try (HubProcess hub = HubProcess.start("deploy-env-account", args, environment)) {
            PushClient shop = new PushClient(hub.port(), "shop", token, appId, aesKey);
            String push = Fixtures.push("event-subscribe", "oenv" + System.nanoTime(), System.currentTimeMillis() / 1000);

            HttpResponse<String> plain = shop.send(push);
            assertThat(plain.statusCode()).as(hub.tail()).isEqualTo(200);
            assertThat(plain.body()).contains("Welcome to the shop");

            HttpResponse<String> safe = shop.sendEncrypted(Fixtures.push("event-click", "oenv" + System.nanoTime(),
                    System.currentTimeMillis() / 1000));
            assertThat(safe.statusCode()).isEqualTo(200);
            // the menu of the shop account is empty: the encrypted push was verified, decrypted and answered
            assertThat(safe.body()).isEqualTo("success");
            HttpResponse<String> welcome = shop.sendEncrypted(Fixtures.push("event-subscribe", "oenv" + System.nanoTime(),
                    System.currentTimeMillis() / 1000));
            assertThat(shop.decrypt(welcome.body())).contains("Welcome to the shop");

            // signed with another token: refused, so the token really came from the environment
            assertThat(new PushClient(hub.port(), "shop", "another-token", appId, aesKey).send(push).statusCode()).isEqualTo(403);
        }
    }
}
