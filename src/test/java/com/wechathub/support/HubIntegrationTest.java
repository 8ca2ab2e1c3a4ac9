package com.wechathub.support;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.wechathub.HubApplication;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.component.resilience4j.ResilienceProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * Base of the tests that boot the whole hub in the prod profile: real Redis, PostgreSQL and
 * RabbitMQ, and real HTTP servers (WireMock) as the CRM and as WeChat's API. Every subclass
 * shares one application context, which also serves test account "api" (WeChat's API enabled,
 * {@link ApiAccount}). Each test starts from an empty inbox, no kept access token, a CRM that
 * answers 200 and a WeChat API that answers every call ({@link FakeWechatApi}).
 */
@IntegrationTier
@ProdTestProperties
@TestPropertySource(locations = "classpath:api-account.properties")
public abstract class HubIntegrationTest {

    protected static final WireMockServer crm = new WireMockServer(options().dynamicPort());
    protected static final WireMockServer wechat = new WireMockServer(options().dynamicPort());

    static {
        crm.start();
        wechat.start();
    }

    @DynamicPropertySource
    static void crmUrl(DynamicPropertyRegistry registry) {
        registry.add("hub.crm.base-url", crm::baseUrl);
        registry.add("wechat.api.base-url", wechat::baseUrl);
    }

    @LocalServerPort protected int port;
    @LocalManagementPort protected int managementPort;
    @Autowired protected JdbcTemplate jdbc;
    @Autowired protected CamelContext camelContext;
    @Autowired protected StringRedisTemplate redis;

    protected PushClient client;
    /** Actuator, on its own port as in the shipped configuration. */
    protected PushClient management;
    protected HubState state;
    protected String openId;
    protected long createTime;

    @BeforeEach
    void startClean() {
        client = new PushClient(port);
        management = new PushClient(managementPort);
        state = new HubState(jdbc, redis);
        state.clear();
        crm.resetAll();
        crm.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok()));
        FakeWechatApi.reset(wechat);
        dropAccessTokens();
        closeCrmCircuit();
        openId = "o" + UUID.randomUUID().toString().replace("-", "");
        createTime = System.currentTimeMillis() / 1000;
    }

    @AfterEach
    void leaveClean() {
        state.clear();
        dropAccessTokens();
    }

    /** No test meets a CRM circuit that an earlier test's failing CRM left open. */
    void closeCrmCircuit() {
        ResilienceProcessor breaker = camelContext.getProcessor("crm-breaker", ResilienceProcessor.class);
        if (breaker != null) {
            breaker.transitionToCloseState();
        }
    }

    /** No kept access token (docs/wechat.md) from one test to the next: each counts its token requests. */
    void dropAccessTokens() {
        RedisKeys.delete(redis, TestSchema.tokenKeyPrefix() + ":*");
    }

    /**
     * Another hub in this JVM on this suite's database (PostgreSQL or MariaDB), Redis keys and
     * CRM: a second node of the cluster. Close it when done.
     */
    protected static ConfigurableApplicationContext startSecondHub(Environment suite, String name, String... args) {
        List<String> all = new ArrayList<>(List.of("--server.port=0", "--management.server.port=0",
                "--spring.datasource.url=" + suite.getProperty("spring.datasource.url"),
                "--spring.datasource.username=" + suite.getProperty("spring.datasource.username", ""),
                "--hub.database.schema=" + suite.getProperty("hub.database.schema", ""),
                "--hub.dedupe.key-prefix=" + suite.getProperty("hub.dedupe.key-prefix"),
                "--hub.crm.base-url=" + crm.baseUrl(), "--hub.crm.token=" + suite.getProperty("hub.crm.token"),
                "--spring.jmx.enabled=false", "--camel.main.name=" + name));
        all.addAll(DemoAccount.args());
        all.addAll(List.of(args));
        return new SpringApplicationBuilder(HubApplication.class).profiles("prod").run(all.toArray(String[]::new));
    }

    protected static int port(ConfigurableApplicationContext hub) {
        return ((WebServerApplicationContext) hub).getWebServer().getPort();
    }
}
