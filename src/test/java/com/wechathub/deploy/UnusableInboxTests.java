package com.wechathub.deploy;

import com.wechathub.support.IntegrationTier;
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
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A database the hub reaches but cannot record in — the table is not where it looks, or its user
 * may not insert — must never look healthy: every push is answered 503, the {@code inbox} health
 * component and readiness say DOWN (liveness stays UP: a restart would not help), the start-up
 * log says what is wrong, and all is well again without a restart once the cause is fixed.
 */
@IntegrationTier
class UnusableInboxTests {

    static final String DATABASE = "wechat_hub_unusable";
    static final String ROLE = "wechat_hub_limited";

    static final WireMockServer crm = new WireMockServer(options().dynamicPort());
    static JdbcTemplate superuser;

    @BeforeAll
    static void freshDatabaseOwnedByTheHubsUser() {
        crm.start();
        crm.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok()));
        TestDatabase.POSTGRES.drop(DATABASE);
        JdbcTemplate admin = TestDatabase.POSTGRES.jdbc("postgres");
        if (admin.queryForList("SELECT 1 FROM pg_roles WHERE rolname = ?", ROLE).isEmpty()) {
            admin.execute("CREATE ROLE " + ROLE + " LOGIN");
        }
        admin.execute("CREATE DATABASE " + DATABASE + " OWNER " + ROLE);
        superuser = TestDatabase.POSTGRES.jdbc(DATABASE);
        // the hub's own migrations, run as its user, as its first start would
        Flyway.configure().dataSource(TestDatabase.POSTGRES.url(DATABASE), ROLE, "").locations("classpath:db/migration")
                .load().migrate();
    }

    @AfterAll
    static void dropDatabase() {
        crm.stop();
        TestDatabase.POSTGRES.drop(DATABASE);
    }

    static HubProcess startHub(String name) {
        return HubProcess.startAlive(name, List.of("--spring.profiles.active=prod",
                "--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/" + DATABASE, "--spring.datasource.username=" + ROLE,
                "--hub.crm.base-url=" + crm.baseUrl(), "--hub.dedupe.key-prefix=wechat-dedupe-unusable"));
    }

    @Test
    void aMissingTableOrAMissingPermissionIsDownAndRecoversWithoutARestart() {
        try (HubProcess hub = startHub("unusable-inbox")) {
            PushClient client = new PushClient(hub.port());
            PushClient management = new PushClient(hub.managementPort());
            assertRecords(client, management);

            superuser.execute("ALTER TABLE wechat_event RENAME TO wechat_event_elsewhere");
            assertRefusesAndSaysWhy(client, management, "wechat_event\\\" does not exist");
            superuser.execute("ALTER TABLE wechat_event_elsewhere RENAME TO wechat_event");
            assertRecords(client, management);

            superuser.execute("REVOKE INSERT ON wechat_event FROM " + ROLE);
            assertRefusesAndSaysWhy(client, management, "permission denied");
            superuser.execute("GRANT INSERT ON wechat_event TO " + ROLE);
            assertRecords(client, management);
        }
    }

    @Test
    void aHubThatCannotRecordSaysSoWhenItStarts() {
        superuser.execute("REVOKE INSERT ON wechat_event FROM " + ROLE);
        try (HubProcess hub = startHub("unusable-inbox-at-start")) {
            assertRefusesAndSaysWhy(new PushClient(hub.port()), new PushClient(hub.managementPort()), "permission denied");
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.log().contains("The inbox cannot record pushes"));
            assertThat(hub.log()).contains("permission denied for table wechat_event").contains("readiness is DOWN");

            superuser.execute("GRANT INSERT ON wechat_event TO " + ROLE);
            assertRecords(new PushClient(hub.port()), new PushClient(hub.managementPort()));
        } finally {
            superuser.execute("GRANT INSERT ON wechat_event TO " + ROLE);
        }
    }

    private static void assertRefusesAndSaysWhy(PushClient client, PushClient management, String why) {
        HttpResponse<String> push = client.send(Fixtures.push("event-click", "ounusable" + System.nanoTime(),
                System.currentTimeMillis() / 1000));
        assertThat(push.statusCode()).isEqualTo(503);
        assertThat(push.body()).isEqualTo("inbox unavailable, retry later");
        HttpResponse<String> readiness = management.get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(503);
        assertThat(readiness.body()).contains("\"inbox\":{\"status\":\"DOWN\"").contains(why);
        assertThat(management.get("/actuator/health").body()).startsWith("{\"status\":\"DOWN\"");
        assertThat(management.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
    }

    private static void assertRecords(PushClient client, PushClient management) {
        // ready again once the inbox's probe succeeds: the next health call, or one a moment later
        // while a connection that saw the failure is replaced
        await().atMost(Duration.ofSeconds(10))
                .until(() -> management.get("/actuator/health/readiness").statusCode() == 200);
        String openId = "ousable" + System.nanoTime();
        assertThat(client.send(Fixtures.push("event-click", openId, System.currentTimeMillis() / 1000)).statusCode()).isEqualTo(200);
        assertThat(superuser.queryForList("SELECT 1 FROM wechat_event WHERE open_id = ?", openId)).hasSize(1);
    }
}
