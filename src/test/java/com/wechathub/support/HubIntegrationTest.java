package com.wechathub.support;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the tests that boot the whole hub in the prod profile: real Redis, PostgreSQL and
 * RabbitMQ, and a real HTTP server (WireMock) as the CRM. Every subclass shares one application
 * context. Each test starts from an empty inbox and a CRM that answers 200.
 */
@ProdTestProperties
public abstract class HubIntegrationTest {

    protected static final WireMockServer crm = new WireMockServer(options().dynamicPort());

    static {
        crm.start();
    }

    @DynamicPropertySource
    static void crmUrl(DynamicPropertyRegistry registry) {
        registry.add("hub.crm.base-url", crm::baseUrl);
    }

    @LocalServerPort protected int port;
    @Autowired protected JdbcTemplate jdbc;
    @Autowired protected StringRedisTemplate redis;

    protected PushClient client;
    protected HubState state;
    protected String openId;
    protected long createTime;

    @BeforeEach
    void startClean() {
        client = new PushClient(port);
        state = new HubState(jdbc, redis);
        state.clear();
        crm.resetAll();
        crm.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok()));
        openId = "o" + UUID.randomUUID().toString().replace("-", "");
        createTime = System.currentTimeMillis() / 1000;
    }

    @AfterEach
    void leaveClean() {
        state.clear();
    }
}
