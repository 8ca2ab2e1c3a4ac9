package com.wechathub.faults;

import com.wechathub.support.IntegrationTier;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubProcess;
import com.wechathub.support.PushClient;
import com.wechathub.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A node dies (kill -9) while it holds claimed events; another node, on the default two-minute
 * lease, takes them over within seconds because the dead node's heartbeat stopped.
 */
@IntegrationTier
class NodeTakeOverTests {

    private static final int EVENTS = 10;
    private static final Duration BOUND = Duration.ofSeconds(15); // docs/performance.md

    private final WireMockServer crm = new WireMockServer(options().dynamicPort());
    private JdbcTemplate jdbc;

    @BeforeEach
    void start() {
        jdbc = FaultSchema.fresh(TestDatabase.POSTGRES);
        crm.start();
    }

    @AfterEach
    void cleanUp() {
        crm.stop();
        FaultSchema.dropAll(TestDatabase.POSTGRES);
    }

    @Test
    void theEventsOfANodeKilledWhileHoldingThemAreDoneWithinFifteenSecondsOnAnotherNode() {
        // The CRM hangs: the first node claims every event and holds it in its CRM call.
        crm.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok().withFixedDelay(120_000)));
        try (HubProcess first = HubProcess.start("take-over-hub-1", hubArgs("take-over-hub-1"))) {
            PushClient client = new PushClient(first.port());
            long createTime = System.currentTimeMillis() / 1000;
            List<String> followers = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                followers.add("otakeover" + System.nanoTime());
                assertThat(client.send(Fixtures.push("event-subscribe", followers.get(i), createTime)).statusCode()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> claimedBy(first.pid()) == EVENTS);

            try (HubProcess second = HubProcess.start("take-over-hub-2", hubArgs("take-over-hub-2"))) {
                assertThat(claimedBy(first.pid())).as("the second node does not take live claims").isEqualTo(EVENTS);
                crm.resetAll();
                crm.stubFor(WireMock.any(WireMock.anyUrl()).willReturn(WireMock.ok()));

                first.kill();
                long killedAt = System.nanoTime();
                await().atMost(BOUND).pollInterval(Duration.ofMillis(200)).until(() ->
                        jdbc.queryForObject("SELECT count(*) FROM wechat_event WHERE status = 'done'", Integer.class) == EVENTS);
                System.out.printf("NodeTakeOverTests: all %d events done %d ms after the kill%n", EVENTS,
                        Duration.ofNanos(System.nanoTime() - killedAt).toMillis());
                for (String follower : followers) {
                    crm.verify(1, putRequestedFor(urlPathMatching("/bindings/demo/" + follower)));
                }
                assertThat(jdbc.queryForList("SELECT DISTINCT claimed_by FROM wechat_event", String.class))
                        .singleElement().asString().startsWith(second.pid() + "@");
            }
        }
    }

    /** Events held by the node with this pid (its node name starts with pid@host). */
    private int claimedBy(long pid) {
        return jdbc.queryForObject("SELECT count(*) FROM wechat_event WHERE status = 'claimed' AND claimed_by LIKE ?",
                Integer.class, pid + "@%");
    }

    private List<String> hubArgs(String name) {
        List<String> args = new ArrayList<>(TestDatabase.POSTGRES.hubArgs(FaultSchema.DATABASE));
        args.addAll(List.of("--spring.profiles.active=prod", "--hub.dedupe.key-prefix=" + FaultSchema.KEY_PREFIX,
                "--hub.crm.base-url=" + crm.baseUrl(), "--hub.crm.response-timeout=180000", "--camel.main.name=" + name));
        return args;
    }
}
