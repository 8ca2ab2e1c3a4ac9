package com.wechathub.inbox;

import com.wechathub.database.DatabaseErrors;
import com.wechathub.idempotency.EventIdentity;
import com.wechathub.metrics.HubMetrics;
import java.lang.management.ManagementFactory;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The inbox as the dispatcher sees it: claim due events, then mark each done, failed (retried
 * later with exponential back-off) or dead. Safe with several hubs on one database: a claim is a
 * conditional UPDATE that only one node can win, and an event whose node died while holding it
 * is taken again once that node's heartbeat is older than the node timeout (or, whatever the
 * heartbeat says, once the lease runs out). A follower's events are claimed one at a time, in
 * CreateTime order.
 */
@Component("inbox")
public class Inbox {

    /** Exchange property with the claimed row (id, account, open_id, event, fields, …). */
    public static final String ROW = "wechatInboxRow";

    private static final Logger log = LoggerFactory.getLogger(Inbox.class);

    // Of the events selected before it, those that no earlier event of the same follower is still
    // waiting for, oldest first. Each query walks the (status, seq) index and stops at the limit:
    // a poll reads the batch plus the older events it skips (waiting out a back-off, or behind an
    // earlier event of their follower), not the whole backlog.
    private static final String FIRST_OF_FOLLOWER = """
              AND NOT EXISTS (
                SELECT 1 FROM wechat_event p
                WHERE p.account = e.account AND p.open_id = e.open_id AND p.status IN ('pending', 'claimed')
                  AND (p.create_time < e.create_time OR (p.create_time = e.create_time AND p.seq < e.seq)))
            ORDER BY e.seq
            LIMIT :limit""";

    // A node that stopped beating (NodeHeartbeat) is dead; so is one that held an event past the lease.
    private static final String DEAD_NODE = """
            SELECT n.id FROM wechat_node n WHERE n.heartbeat_at < :aliveSince""";

    /** Claimed by a node that died: its heartbeat stopped, or it did not finish them within the lease. */
    private static final String STRANDED = """
            SELECT e.id FROM wechat_event e
            WHERE e.status = 'claimed' AND (e.claimed_at < :leaseExpired OR e.claimed_by IN (""" + DEAD_NODE + """
            ))
            """ + FIRST_OF_FOLLOWER;

    private static final String DUE = """
            SELECT e.id FROM wechat_event e WHERE e.status = 'pending' AND e.next_attempt_at <= :now
            """ + FIRST_OF_FOLLOWER;

    // One statement claims the whole batch; the conditions make a row another node took meanwhile
    // (or one this node still holds) drop out. The claimed rows are then read back by their claim.
    private static final String CLAIM = """
            UPDATE wechat_event SET status = 'claimed', claimed_at = :now, claimed_by = :node, attempts = attempts + 1
            WHERE id IN (:ids)
              AND ((status = 'pending' AND next_attempt_at <= :now)
                OR (status = 'claimed' AND (claimed_at < :leaseExpired OR claimed_by IN (""" + DEAD_NODE + """
                ))))""";

    private static final String CLAIMED = """
            SELECT * FROM wechat_event WHERE id IN (:ids) AND claimed_by = :node AND claimed_at = :now ORDER BY seq""";

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate named;
    private final DispatchProperties properties;
    private final HubMetrics metrics;
    private final Clock clock;
    private final DispatchSignal signal;
    private final Queue<Map<String, Object>> finished = new ConcurrentLinkedQueue<>();
    private volatile boolean lastClaimFull;
    private volatile long seenWakeUps;
    private volatile String unreadable; // why the last poll failed, while it fails
    private final String node = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();

    public Inbox(JdbcTemplate jdbc, DispatchProperties properties, HubMetrics metrics, Clock clock, DispatchSignal signal) {
        this.jdbc = jdbc;
        this.signal = signal;
        this.seenWakeUps = signal.current();
        this.named = new NamedParameterJdbcTemplate(jdbc);
        this.properties = properties;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** This node's name in wechat_event.claimed_by and wechat_node. */
    String node() {
        return node;
    }

    /**
     * Claims up to batch-size due events for this node; returns their rows, oldest first. While the
     * inbox cannot be read (database down, table missing) each poll claims nothing, and that is
     * logged once when it starts and once when it ends, not as a stack trace every poll; the
     * {@code inbox} health component says the same.
     */
    public List<Map<String, Object>> claim() {
        try {
            List<Map<String, Object>> claimed = claimBatch();
            lastClaimFull = claimed.size() >= properties.batchSize();
            if (unreadable != null) {
                log.info("The dispatcher can read the inbox again");
                unreadable = null;
            }
            return claimed;
        } catch (DataAccessException e) {
            String reason = DatabaseErrors.reason(e);
            if (!reason.equals(unreadable)) {
                log.warn("The dispatcher cannot read the inbox, retrying every poll: {}", reason);
                unreadable = reason;
            }
            lastClaimFull = false;
            return List.of();
        }
    }

    private List<Map<String, Object>> claimBatch() {
        // Milliseconds survive either database unchanged, so the claimed rows can be read back by
        // node and time among this claim's candidates: a row this node claimed earlier at the same
        // time is still claimed, so it is not a candidate again.
        Timestamp now = new Timestamp(clock.millis());
        var claim = new MapSqlParameterSource()
                .addValue("now", now)
                .addValue("node", node)
                .addValue("leaseExpired", new Timestamp(now.getTime() - properties.lease().toMillis()))
                .addValue("aliveSince", new Timestamp(now.getTime() - properties.nodeTimeout().toMillis()))
                .addValue("limit", properties.batchSize());
        List<String> candidates = new ArrayList<>(named.queryForList(STRANDED, claim, String.class));
        if (candidates.size() < properties.batchSize()) {
            claim.addValue("limit", properties.batchSize() - candidates.size());
            candidates.addAll(named.queryForList(DUE, claim, String.class));
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        claim.addValue("ids", candidates);
        try {
            if (named.update(CLAIM, claim) == 0) {
                return List.of();
            }
        } catch (PessimisticLockingFailureException e) {
            // Two nodes claimed overlapping batches and the database broke the deadlock by rolling
            // this claim back: nothing was claimed, the next poll tries again.
            log.info("Claim lost a lock conflict with another node; trying again on the next poll ({})",
                    e.getMostSpecificCause().getMessage());
            return List.of();
        }
        return named.queryForList(CLAIMED, claim);
    }

    /** Puts a claimed row on the exchange: the row as a property, the routing headers from it. */
    public void open(Exchange exchange) {
        Message message = exchange.getMessage();
        @SuppressWarnings("unchecked")
        Map<String, Object> row = message.getBody(Map.class);
        exchange.setProperty(ROW, row);
        message.getHeaders().clear();
        message.setHeader(EventIdentity.EVENT_ID, row.get("id"));
        message.setHeader("account", row.get("account"));
        message.setHeader(EventIdentity.OPEN_ID, row.get("open_id"));
        message.setHeader(EventIdentity.MSG_TYPE, row.get("msg_type"));
        message.setHeader(EventIdentity.EVENT, row.get("event"));
        message.setBody(row.get("fields"));
    }

    /**
     * Waits for work before the next claim: returns at once when the last claim filled a whole batch
     * (more is due) or this node records an event ({@link DispatchSignal}), else after the poll
     * interval.
     */
    public void awaitWork() throws InterruptedException {
        if (!lastClaimFull) {
            seenWakeUps = signal.await(seenWakeUps, properties.pollInterval().toMillis());
        } else {
            seenWakeUps = signal.current();
        }
    }

    /** An event went through its route: it is marked done with the rest of its batch ({@link #flushDone}). */
    public void done(Exchange exchange) {
        finished.add(row(exchange));
    }

    /**
     * Marks the batch's finished events done, in one statement. Until then they stay claimed by
     * this node: were it to die in between, another node would take them over and send them again
     * (with the same Idempotency-Key and message id), as with any event a dead node had claimed.
     */
    public void flushDone() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> row = finished.poll(); row != null; row = finished.poll()) {
            rows.add(row);
        }
        if (rows.isEmpty()) {
            return;
        }
        named.update("UPDATE wechat_event SET status = 'done', done_at = :now, last_error = NULL WHERE id IN (:ids) AND claimed_by = :node",
                new MapSqlParameterSource().addValue("now", now()).addValue("node", node)
                        .addValue("ids", rows.stream().map(row -> row.get("id")).toList()));
        rows.forEach(row -> metrics.dispatched(eventTag(row), "done"));
    }

    /** Schedules another attempt with back-off, or marks the event dead after the last one. */
    public void failed(Exchange exchange) {
        Map<String, Object> row = row(exchange);
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String error = cause == null ? "unknown error" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        error = error.length() > 1000 ? error.substring(0, 1000) : error;
        int attempts = ((Number) row.get("attempts")).intValue(); // counted by the claim
        if (attempts >= properties.maxAttempts()) {
            jdbc.update("UPDATE wechat_event SET status = 'dead', last_error = ? WHERE id = ? AND claimed_by = ?",
                    error, row.get("id"), node);
            log.warn("Event {} ({}) is dead after {} attempts: {}", row.get("id"), row.get("event"), attempts, error);
            metrics.dispatched(eventTag(row), "dead");
        } else {
            Timestamp next = Timestamp.from(clock.instant().plus(properties.backoffAfter(attempts)));
            jdbc.update("UPDATE wechat_event SET status = 'pending', next_attempt_at = ?, last_error = ? WHERE id = ? AND claimed_by = ?",
                    next, error, row.get("id"), node);
            log.info("Event {} ({}) failed attempt {}, retrying at {}: {}", row.get("id"), row.get("event"), attempts, next, error);
            metrics.dispatched(eventTag(row), "retry");
        }
    }

    /** Events in a status, newest first, for the operator API. */
    public List<Map<String, Object>> list(String status, int limit) {
        String columns = """
                SELECT id, account, open_id, msg_type, event, event_key, create_time, status, attempts,
                       next_attempt_at, last_error, received_at, done_at,
                       reply_status, reply_error, reply_due_at, reply_done_at FROM wechat_event""";
        return status == null || status.isBlank()
                ? jdbc.queryForList(columns + " ORDER BY seq DESC LIMIT ?", limit)
                : jdbc.queryForList(columns + " WHERE status = ? ORDER BY seq DESC LIMIT ?", status, limit);
    }

    /**
     * Puts an event back to pending, due now, with a fresh set of attempts. False only while a
     * node is processing it (claimed); replaying a pending event just makes it due now.
     */
    public boolean replay(String id) {
        signal.wake();
        return jdbc.update("""
                UPDATE wechat_event SET status = 'pending', attempts = 0, next_attempt_at = ?, claimed_at = NULL,
                                        claimed_by = NULL
                WHERE id = ? AND status IN ('dead', 'done', 'pending')""", now(), id) == 1;
    }

    public boolean exists(String id) {
        return !jdbc.queryForList("SELECT id FROM wechat_event WHERE id = ?", String.class, id).isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> row(Exchange exchange) {
        return exchange.getProperty(ROW, Map.class);
    }

    private static String eventTag(Map<String, Object> row) {
        Object event = row.get("event");
        return event != null ? event.toString() : "message:" + row.get("msg_type");
    }

    private Timestamp now() {
        return Timestamp.from(Instant.now(clock));
    }
}
