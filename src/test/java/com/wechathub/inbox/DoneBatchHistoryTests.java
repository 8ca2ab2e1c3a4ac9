package com.wechathub.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.metrics.HubMetrics;
import com.wechathub.node.NodeIdentity;
import com.wechathub.support.HubIntegrationTest;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A batch done is marked by one UPDATE and its attempts written to the history together; when a
 * row of the batch is no longer this node's (taken over meanwhile), only the rows still held get
 * their outcome and their history row, and writing an outcome again adds nothing.
 */
class DoneBatchHistoryTests extends HubIntegrationTest {

    @Autowired DispatchProperties properties;
    @Autowired TransactionTemplate transactions;
    @Autowired HubMetrics metrics;
    @Autowired ObjectProvider<CamelContext> camel;

    Inbox inbox;

    @BeforeEach
    void aLiveNodeOfItsOwn() {
        inbox = new Inbox(jdbc, transactions, properties, metrics, Clock.systemUTC(), new DispatchSignal(), camel, new NodeIdentity(null));
        // Alive for an hour, so the application's dispatcher leaves this node's claims alone.
        jdbc.update("INSERT INTO wechat_node (id, started_at, heartbeat_at) VALUES (?, ?, ?)",
                inbox.node(), Timestamp.from(Instant.now()), Timestamp.from(Instant.now().plus(Duration.ofHours(1))));
    }

    @AfterEach
    void removeNodes() {
        jdbc.update("DELETE FROM wechat_node WHERE id IN (?, ?)", inbox.node(), other());
    }

    /** Another live node, so that the application's dispatcher does not take its claims over either. */
    String other() {
        return "other@" + openId;
    }

    @Test
    void aWholeBatchDoneGetsOneHistoryRowPerEventNumberedByItsAttempt() {
        Exchange first = opened(insertClaimed("a", 1));
        Exchange second = opened(insertClaimed("b", 3));

        inbox.done(first);
        inbox.done(second);
        inbox.flush();

        assertThat(status("a")).isEqualTo("done");
        assertThat(status("b")).isEqualTo("done");
        assertThat(history("a")).containsExactly(Map.of("outcome", "done", "attempt", 1, "node", inbox.node()));
        assertThat(history("b")).containsExactly(Map.of("outcome", "done", "attempt", 3, "node", inbox.node()));

        inbox.done(first); // written again, e.g. kept from a batch whose commit was in doubt
        inbox.flush();
        assertThat(history("a")).as("an outcome written again adds no second row").hasSize(1);
    }

    @Test
    void aRowTakenOverMeanwhileKeepsItsNewOwnerAndGetsNoHistoryRowFromThisNode() {
        Exchange kept = opened(insertClaimed("a", 1));
        Exchange lost = opened(insertClaimed("b", 1));
        jdbc.update("INSERT INTO wechat_node (id, started_at, heartbeat_at) VALUES (?, ?, ?)",
                other(), Timestamp.from(Instant.now()), Timestamp.from(Instant.now().plus(Duration.ofHours(1))));
        jdbc.update("UPDATE wechat_event SET claimed_by = ?, attempts = 2, total_attempts = 2 WHERE id = ?", other(), id("b"));

        inbox.done(kept);
        inbox.done(lost);
        inbox.flush();

        assertThat(status("a")).isEqualTo("done");
        assertThat(history("a")).containsExactly(Map.of("outcome", "done", "attempt", 1, "node", inbox.node()));
        assertThat(status("b")).isEqualTo("claimed");
        assertThat(jdbc.queryForObject("SELECT claimed_by FROM wechat_event WHERE id = ?", String.class, id("b"))).isEqualTo(other());
        assertThat(history("b")).isEmpty();
    }

    String id(String name) {
        return name + openId;
    }

    /** A CLICK of this test's follower, claimed by the test's node at its {@code attempt}-th attempt. */
    Map<String, Object> insertClaimed(String name, int attempt) {
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("""
                INSERT INTO wechat_event (id, account, open_id, msg_type, event, create_time, fields, raw_xml, status,
                                          attempts, total_attempts, next_attempt_at, received_at, claimed_at, claimed_by)
                VALUES (?, 'demo', ?, 'event', 'CLICK', ?, '{}', '<xml/>', 'claimed', ?, ?, ?, ?, ?, ?)""",
                id(name), openId, createTime, attempt, attempt, now, now, now, inbox.node());
        return jdbc.queryForMap("SELECT * FROM wechat_event WHERE id = ?", id(name));
    }

    Exchange opened(Map<String, Object> row) {
        Exchange exchange = new DefaultExchange(camel.getObject());
        exchange.getMessage().setBody(row);
        inbox.open(exchange);
        return exchange;
    }

    String status(String name) {
        return jdbc.queryForObject("SELECT status FROM wechat_event WHERE id = ?", String.class, id(name));
    }

    List<Map<String, Object>> history(String name) {
        return jdbc.queryForList("SELECT outcome, attempt, node FROM wechat_event_history WHERE event_id = ? ORDER BY seq", id(name));
    }
}
