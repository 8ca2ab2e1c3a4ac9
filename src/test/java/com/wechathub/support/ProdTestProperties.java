package com.wechathub.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.TestPropertySource;

/**
 * The prod profile against the machine's real Redis, PostgreSQL and RabbitMQ, configured as an
 * operator does: a plain JDBC URL to a database of the tests' own (wechat_hub_test, created if
 * missing), no schema parameter, so tests never touch an operator's data. Properties set here
 * outrank ./application.yaml, which the tests read like the running hub does. Back-off is
 * shortened so retry tests take milliseconds, not minutes. {@link OnMariaDb} moves a suite to
 * MariaDB. Account "demo" is the tests' own ({@link DemoAccount}): prod has no example account.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@IntegrationTier
@ExtendWith(TestDatabases.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=" + ProdTestProperties.DATABASE_URL,
        // HUB_TEST_SCHEMA lets two checkouts run their tests at once without clearing each other's inbox.
        "hub.database.schema=${HUB_TEST_SCHEMA:}",
        "hub.dedupe.key-prefix=wechat-dedupe-test",
        "hub.admin.token=" + ProdTestProperties.ADMIN_TOKEN,
        "hub.crm.token=crm-test-token",
        "hub.dispatch.poll-interval=50",
        "hub.dispatch.batch-size=5",
        "hub.dispatch.backoff=100ms",
        "hub.dispatch.max-backoff=1s",
        "hub.dispatch.max-attempts=6",
        "camel.resilience4j.configurations.crm.wait-duration-in-open-state=1",
        "hub.token.key-prefix=" + ProdTestProperties.TOKEN_KEY_PREFIX,
        "hub.reply.lease=3s",
        "hub.reply.poll-interval=500",
        // Spring keeps each test context alive for reuse: one holding the prod profile's 20 idle
        // connections each would take PostgreSQL's 100 with five contexts. Idle ones are let go.
        "spring.datasource.hikari.minimum-idle=1",
        "spring.datasource.hikari.idle-timeout=10000", // ms
})
@ActiveProfiles("prod")
@TestPropertySource(locations = "classpath:demo-account.properties")
@AutoConfigureObservability // serve /actuator/prometheus as the real hub does
public @interface ProdTestProperties {

    String DATABASE = "wechat_hub_test";
    String DATABASE_URL = "jdbc:postgresql://127.0.0.1:5432/" + DATABASE;
    String ADMIN_TOKEN = "test-admin-token";
    // Access tokens of this checkout's tests (docs/wechat.md), apart from any other checkout's.
    String TOKEN_KEY_PREFIX = "wechat-token-test-${HUB_TEST_SCHEMA:wechat_hub_test}";

}
