package com.wechathub.inbox;

import com.wechathub.idempotency.EventIdentity;
import com.wechathub.metrics.HubMetrics;
import java.lang.management.ManagementFactory;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The inbox as the dispatcher sees it: claim due events, then mark each done, failed (retried
 * later with exponential back-off) or dead. Safe with several hubs on one database: a claim is a
 * conditional UPDATE that only one node can win, and an event whose node died while holding it
 * is taken again once its lease runs out. A follower's events are claimed one at a time, in
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
            LIMIT ?""";

    /** Claimed by a node that did not finish them within the lease: it died. */
    private static final String STRANDED = """
            SELECT e.id FROM wechat_event e WHERE e.status = 'claimed' AND e.claimed_at < ?
            """ + FIRST_OF_FOLLOWER;

    private static final String DUE = """
            SELECT e.id FROM wechat_event e WHERE e.status = 'pending' AND e.next_attempt_at <= ?
            """ + FIRST_OF_FOLLOWER;

    // One statement claims the whole batch; the conditions make a row another node took meanwhile
    // (or one this node still holds) drop out. The claimed rows are then read back by their claim.
    private static final String CLAIM = """
            UPDATE wechat_event SET status = 'claimed', claimed_at = :now, claimed_by = :node, attempts = attempts + 1
            WHERE id IN (:ids)
              AND ((status = 'pending' AND next_attempt_at <= :now) OR (status = 'claimed' AND claimed_at < :leaseExpired))""";

    private static final String CLAIMED = """
            SELECT * FROM wechat_event WHERE id IN (:ids) AND claimed_by = :node AND claimed_at = :now ORDER BY seq""";

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate named;
    private final DispatchProperties properties;
    private final HubMetrics metrics;
    private final Clock clock;
    private final String node = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();

    public Inbox(JdbcTemplate jdbc, DispatchProperties properties, HubMetrics metrics, Clock clock) {
        this.jdbc = jdbc;
        this.named = new NamedParameterJdbcTemplate(jdbc);
        this.properties = properties;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Claims up to batch-size due events for this node; returns their rows, oldest first. */
    public List<Map<String, Object>> claim() {
        // Milliseconds survive either database unchanged, so the claimed rows can be read back by
        // node and time among this claim's candidates: a row this node claimed earlier at the same
        // time is still claimed, so it is not a candidate again.
        Timestamp now = new Timestamp(clock.millis());
        Timestamp leaseExpired = new Timestamp(now.getTime() - properties.lease().toMillis());
        List<String> candidates = new ArrayList<>(jdbc.queryForList(STRANDED, String.class, leaseExpired, properties.batchSize()));
        if (candidates.size() < properties.batchSize()) {
            candidates.addAll(jdbc.queryForList(DUE, String.class, now, properties.batchSize() - candidates.size()));
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        var claim = new MapSqlParameterSource()
                .addValue("ids", candidates)
                .addValue("now", now)
                .addValue("node", node)
                .addValue("leaseExpired", leaseExpired);
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

    public void done(Exchange exchange) {
        Map<String, Object> row = row(exchange);
        jdbc.update("UPDATE wechat_event SET status = 'done', done_at = ?, last_error = NULL WHERE id = ? AND claimed_by = ?",
                now(), row.get("id"), node);
        metrics.dispatched(eventTag(row), "done");
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
