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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.UnitOfWorkHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The dispatcher's timer does not wait for a batch to end, so the inbox bounds the batches that
 * run at once: with {@link Inbox#BATCHES_IN_FLIGHT} running, the next claim waits for one of them
 * to end, whatever work is waiting. Without the bound a hub behind on its inbox claimed a batch
 * every 10 ms and queued tens of thousands of events in memory.
 */
class BatchesInFlightTests extends HubIntegrationTest {

    @Autowired DispatchProperties properties;
    @Autowired TransactionTemplate transactions;
    @Autowired HubMetrics metrics;
    @Autowired ObjectProvider<CamelContext> camel;

    final DispatchSignal signal = new DispatchSignal();
    Inbox inbox;

    @AfterEach
    void removeNodeAndEvents() {
        jdbc.update("DELETE FROM wechat_event WHERE claimed_by = ?", inbox.node());
        jdbc.update("DELETE FROM wechat_node WHERE id = ?", inbox.node());
    }

    @Test
    void withTheLimitRunningTheNextClaimWaitsUntilABatchEnds() throws Exception {
        inbox = new Inbox(jdbc, transactions, properties, metrics, Clock.systemUTC(), signal, camel, new NodeIdentity(null));
        // Alive, so the application's own dispatcher leaves this node's claims alone.
        jdbc.update("INSERT INTO wechat_node (id, started_at, heartbeat_at) VALUES (?, ?, ?)",
                inbox.node(), Timestamp.from(Instant.now()), Timestamp.from(Instant.now().plus(Duration.ofHours(1))));
        List<Exchange> running = new ArrayList<>();
        for (int i = 0; i < Inbox.BATCHES_IN_FLIGHT; i++) {
            inbox.recorded(insertHeld(i), true);
            inbox.awaitWork();
            Exchange batch = new DefaultExchange(camelContext);
            assertThat(inbox.claim(batch)).hasSize(1);
            running.add(batch);
        }

        inbox.recorded(insertHeld(Inbox.BATCHES_IN_FLIGHT), true); // more work is waiting
        CompletableFuture<Void> next = CompletableFuture.runAsync(() -> {
            try {
                inbox.awaitWork();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> !next.isDone());

        Exchange ended = running.get(0); // its outcomes written, or it failed: either way it ends
        UnitOfWorkHelper.doneSynchronizations(ended, ended.getExchangeExtension().handoverCompletions());

        await().atMost(Duration.ofSeconds(5)).until(next::isDone);
        Exchange batch = new DefaultExchange(camelContext);
        assertThat(inbox.claim(batch)).hasSize(1);
    }

    /** A CLICK of its own follower, recorded as held by this test's node; returns its id. */
    String insertHeld(int n) {
        String id = "inflight" + n + openId;
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("""
                INSERT INTO wechat_event (id, account, open_id, msg_type, event, create_time, fields, raw_xml, status,
                                          attempts, next_attempt_at, received_at, claimed_at, claimed_by)
                VALUES (?, 'demo', ?, 'event', 'CLICK', ?, '{}', '<xml/>', 'claimed', 1, ?, ?, ?, ?)""",
                id, openId + n, createTime, now, now, now, inbox.node());
        return id;
    }
}
