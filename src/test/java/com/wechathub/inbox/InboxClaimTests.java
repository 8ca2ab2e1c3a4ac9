package com.wechathub.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.metrics.HubMetrics;
import com.wechathub.node.NodeIdentity;
import com.wechathub.support.HubIntegrationTest;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A claim reads its rows back by node and time: a second claim in the same millisecond must not
 * return the first one's rows. The rows
 * here fall due an hour from now: only the inbox under test, whose clock is two hours ahead, sees
 * them; the application's own dispatcher leaves them alone.
 */
class InboxClaimTests extends HubIntegrationTest {

    @Autowired DispatchProperties properties;
    @Autowired TransactionTemplate transactions;
    @Autowired HubMetrics metrics;
    @Autowired ObjectProvider<CamelContext> camel;

    final Instant ahead = Instant.now().plus(Duration.ofHours(2));
    String node;

    @AfterEach
    void removeNode() {
        jdbc.update("DELETE FROM wechat_node WHERE id = ?", node);
    }

    @Test
    void twoClaimsInOneMillisecondEachReturnOnlyTheRowsTheyClaimed() throws InterruptedException {
        Inbox inbox = new Inbox(jdbc, transactions, properties, metrics, Clock.fixed(ahead, ZoneOffset.UTC), new DispatchSignal(), camel, new NodeIdentity(null));
        // A live node (its heartbeat in its own time), so neither it nor the application's
        // dispatcher takes its claims over.
        jdbc.update("INSERT INTO wechat_node (id, started_at, heartbeat_at) VALUES (?, ?, ?)",
                inbox.node(), Timestamp.from(ahead), Timestamp.from(ahead));
        node = inbox.node();
        insert("claim-a");
        insert("claim-b");
        assertThat(ids(inbox.nextBatch())).containsExactly("claim-a", "claim-b");

        insert("claim-c");
        inbox.awaitWork(); // the next poll
        assertThat(ids(inbox.nextBatch())).containsExactly("claim-c");
    }

    void insert(String id) {
        jdbc.update("""
                INSERT INTO wechat_event (id, account, open_id, msg_type, event, create_time, fields, raw_xml, status,
                                          next_attempt_at, received_at)
                VALUES (?, 'demo', ?, 'event', 'CLICK', ?, '{}', '<xml/>', 'pending', ?, now())""",
                id, id + openId, createTime, Timestamp.from(Instant.now().plus(Duration.ofHours(1))));
    }

    static List<Object> ids(List<Map<String, Object>> rows) {
        return rows.stream().map(row -> row.get("id")).toList();
    }
}
