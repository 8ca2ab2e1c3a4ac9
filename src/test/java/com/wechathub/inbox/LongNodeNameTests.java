package com.wechathub.inbox;

import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.PushClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * A node's id (wechat_event.claimed_by, wechat_node.id, VARCHAR(128)) comes from its name, by
 * default pid@host, and host names may have up to 253 characters. A node with a 200-character
 * name still records, claims and dispatches: its id is cut to fit, readable and distinct
 * (NodeIdentityTests).
 */
class LongNodeNameTests extends HubIntegrationTest {

    static final String LONG_NAME = "4242@" + "rack-07.zone-b.".repeat(13);

    @Autowired Environment environment;

    @Test
    void aNodeWithA200CharacterNameRecordsAndDispatches() {
        assertThat(LONG_NAME).hasSize(200);
        try (ConfigurableApplicationContext hub = startSecondHub(environment, "long-named-hub",
                "--hub.dispatch.node-name=" + LONG_NAME, "--hub.dispatch.poll-interval=50")) {
            String node = hub.getBean(Inbox.class).node();
            assertThat(node).hasSizeLessThanOrEqualTo(128).startsWith(LONG_NAME.substring(0, 55));

            // the hub holds the push it records: the INSERT itself writes its node id (a fresh hub: first calls are slow)
            assertThat(new PushClient(port(hub)).send(Fixtures.push("event-subscribe", openId, createTime)).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(state.events(openId).get(0)).containsEntry("status", "done"));
            assertThat(state.events(openId).get(0)).containsEntry("claimed_by", node);
            List<Map<String, Object>> nodes = jdbc.queryForList("SELECT id FROM wechat_node WHERE id = ?", node);
            assertThat(nodes).as("its heartbeat").hasSize(1);
            crm.verify(1, putRequestedFor(urlEqualTo("/bindings/demo/" + openId)));
        }
    }
}
