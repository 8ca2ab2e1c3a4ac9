package com.wechathub.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.metrics.HubMetrics;
import com.wechathub.node.NodeIdentity;
import com.wechathub.support.HubIntegrationTest;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Events a node recorded as its own (held) when that node goes away: stopping, it puts those it
 * had not started back to pending; and a claim whose node has no heartbeat at all (it stopped and
 * removed it) is taken over at once, not after the two-minute lease.
 */
class HeldEventsTests extends HubIntegrationTest {

    @Autowired DispatchProperties properties;
    @Autowired TransactionTemplate transactions;
    @Autowired HubMetrics metrics;
    @Autowired ObjectProvider<CamelContext> camel;

    String node;

    @AfterEach
    void removeNode() {
        jdbc.update("DELETE FROM wechat_node WHERE id = ?", node);
    }

    @Test
    void aStoppingNodePutsTheEventsItHeldButDidNotStartBackToPending() {
        Inbox stopping = new Inbox(jdbc, transactions, properties, metrics, Clock.systemUTC(), new DispatchSignal(), camel, new NodeIdentity(null));
        node = stopping.node();
        // Alive, so the application's dispatcher leaves its claims alone until it stops.
        jdbc.update("INSERT INTO wechat_node (id, started_at, heartbeat_at) VALUES (?, ?, ?)",
                node, Timestamp.from(Instant.now()), Timestamp.from(Instant.now().plus(Duration.ofHours(1))));
        stopping.recorded(insertClaimed(node), true);
        assertThat(stopping.canHold()).isTrue();

        stopping.releaseHeld();

        assertThat(stopping.canHold()).as("a stopped node holds nothing more").isFalse();
        Map<String, Object> released = state.events(openId).get(0);
        assertThat(released).containsEntry("status", "pending").containsEntry("attempts", 0);
        assertThat(released.get("claimed_by")).isNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(state.events(openId).get(0).get("status")));
        assertTakenOverByALiveNode();
    }

    @Test
    void anEventClaimedByANodeWithoutAHeartbeatIsTakenOverAtOnce() {
        node = "gone@host/" + openId; // stopped gracefully: its heartbeat row is removed
        insertClaimed(node);

        await().atMost(Duration.ofSeconds(10)).until(() -> "done".equals(state.events(openId).get(0).get("status")));
        assertThat(state.events(openId).get(0)).containsEntry("attempts", 2);
        assertTakenOverByALiveNode();
    }

    /**
     * Done by a node with a live heartbeat: this application's, or another hub of the test run that
     * shares the database (Spring keeps other suites' hubs running for reuse, each dispatching).
     */
    void assertTakenOverByALiveNode() {
        Object by = state.events(openId).get(0).get("claimed_by");
        assertThat(by).isNotNull().isNotEqualTo(node);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM wechat_node WHERE id = ?", Integer.class, by))
                .as("the node that took it over beats").isEqualTo(1);
    }

    /** A CLICK of this test's follower, recorded as claimed by the node {@code by}; returns its id. */
    String insertClaimed(String by) {
        String id = "held" + openId;
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("""
                INSERT INTO wechat_event (id, account, open_id, msg_type, event, create_time, fields, raw_xml, status,
                                          attempts, next_attempt_at, received_at, claimed_at, claimed_by)
                VALUES (?, 'demo', ?, 'event', 'CLICK', ?, '{}', '<xml/>', 'claimed', 1, ?, ?, ?, ?)""",
                id, openId, createTime, now, now, now, by);
        return id;
    }
}
