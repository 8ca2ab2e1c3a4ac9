package com.wechathub.inbox;

import com.wechathub.database.DatabaseErrors;
import com.wechathub.idempotency.EventIdentity;
import com.wechathub.metrics.HubMetrics;
import com.wechathub.node.NodeIdentity;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jakarta.annotation.PreDestroy;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ServiceStatus;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The inbox as the dispatcher sees it: claim due events, then mark each done, failed (retried
 * later with exponential back-off) or dead. Safe with several hubs on one database: a claim is a
 * conditional UPDATE that only one node can win; an event the node recording it can dispatch at
 * once is recorded as claimed by that node and handed to its dispatcher without a poll
 * ({@link #canHold}); and an event whose node died while holding it
 * is taken again once that node's heartbeat is older than the node timeout (or, whatever the
 * heartbeat says, once the lease runs out). A follower's events are claimed one at a time, in
 * CreateTime order.
 */
@Component("inbox")
public class Inbox {

    /** Exchange property with the claimed row (id, account, open_id, event, fields, …). */
    public static final String ROW = "wechatInboxRow";

    /** Exchange property: when this node opened the event for its attempt (its history's started_at). */
    static final String STARTED = "wechatAttemptStarted";

    /** The longest error kept with an event (wechat_event.last_error) and in its history. */
    public static final int ERROR_WIDTH = 1000;

    private static final Logger log = LoggerFactory.getLogger(Inbox.class);

    // No earlier event of the same follower is still waiting (pending, or claimed by any node).
    private static final String FOLLOWER_IS_FREE = """
              AND NOT EXISTS (
                SELECT 1 FROM wechat_event p
                WHERE p.account = e.account AND p.open_id = e.open_id AND p.status IN ('pending', 'claimed')
                  AND (p.create_time < e.create_time OR (p.create_time = e.create_time AND p.seq < e.seq)))
            """;

    // Of the events selected before it, those that no earlier event of the same follower is still
    // waiting for, oldest first. Each query walks the (status, seq) index and stops at the limit:
    // a poll reads the batch plus the older events it skips (waiting out a back-off, or behind an
    // earlier event of their follower), not the whole backlog.
    private static final String FIRST_OF_FOLLOWER = FOLLOWER_IS_FREE + """
            ORDER BY e.seq
            LIMIT :limit""";

    // A node whose heartbeat (NodeHeartbeat) is older than the node timeout, or that has none (it
    // stopped gracefully and removed it), is dead; so is one that held an event past the lease.
    private static final String LIVE_NODES = """
            SELECT n.id FROM wechat_node n WHERE n.heartbeat_at >= :aliveSince""";

    /** Claimed by a node that died: its heartbeat stopped, or it did not finish them within the lease. */
    private static final String STRANDED = """
            SELECT e.id FROM wechat_event e
            WHERE e.status = 'claimed' AND (e.claimed_at < :leaseExpired OR e.claimed_by NOT IN (""" + LIVE_NODES + """
            ))
            """ + FIRST_OF_FOLLOWER;

    private static final String DUE = """
            SELECT e.id FROM wechat_event e WHERE e.status = 'pending' AND e.next_attempt_at <= :now
            """ + FIRST_OF_FOLLOWER;

    // One statement claims the whole batch; the conditions make a row another node took meanwhile
    // (or one this node still holds) drop out. The claimed rows are then read back by their claim.
    // The status test is a CASE, for the reason given at STILL_HELD: written as "(status = 'pending'
    // AND …) OR (status = 'claimed' AND …)", PostgreSQL read every pending row of a 50,000-event
    // backlog through the (status, seq) index for each claim of 200 (44 ms instead of 1).
    private static final String CLAIM = """
            UPDATE wechat_event SET status = 'claimed', claimed_at = :now, claimed_by = :node, attempts = attempts + 1,
                                    total_attempts = total_attempts + 1
            WHERE id IN (:ids)
              AND CASE status
                    WHEN 'pending' THEN next_attempt_at <= :now
                    WHEN 'claimed' THEN claimed_at < :leaseExpired OR claimed_by NOT IN (""" + LIVE_NODES + """
                )
                  END""";

    private static final String CLAIMED = """
            SELECT * FROM wechat_event WHERE id IN (:ids) AND claimed_by = :node AND claimed_at = :now ORDER BY seq""";

    // Events this node recorded as claimed by itself (held) that may run now: still its own, and no
    // earlier event of their follower waiting anywhere. The others are released to the poll.
    private static final String HELD = """
            SELECT e.* FROM wechat_event e WHERE e.id IN (:ids) AND CASE e.status WHEN 'claimed' THEN e.claimed_by END = :node
            """ + FOLLOWER_IS_FREE + "ORDER BY e.seq";

    // Rows of a list of ids that this node still holds claimed, written as a CASE so that the
    // database finds them by id (the primary key). Written as "status = 'claimed' AND claimed_by =
    // :node", PostgreSQL may walk every claimed row through the (status, seq) index instead, which
    // it prefers whenever its statistics lag behind a fast-growing inbox: under the bench kit it
    // read 2,200 rows for each batch of 20, for every batch, and most of its CPU went there.
    private static final String STILL_HELD = " id IN (:ids) AND CASE status WHEN 'claimed' THEN claimed_by END = :node";

    private static final String RELEASE = """
            UPDATE wechat_event SET status = 'pending', claimed_at = NULL, claimed_by = NULL, attempts = attempts - 1,
                                    total_attempts = total_attempts - 1
            WHERE""" + STILL_HELD;

    /**
     * Batches that may run at once. The dispatcher's timer does not wait for a batch's end (its
     * events run on hub.dispatch.threads), so without a bound it would claim a batch every poll and
     * queue them all in memory while the inbox is behind: tens of thousands of events, which kept
     * the garbage collector busy and could outlast their lease. Four keep the threads busy while
     * the batches before finish their slowest events (two left them idle: docs/performance.md).
     */
    static final int BATCHES_IN_FLIGHT = 4;

    /** The route that drains the inbox; while it is not started, pushes are recorded pending. */
    static final String DISPATCH_ROUTE = "wechat-dispatch";

    private final JdbcTemplate jdbc;
    private final NamedParameterJdbcTemplate named;
    private final TransactionTemplate transactions;
    private final DispatchProperties properties;
    private final HubMetrics metrics;
    private final Clock clock;
    private final DispatchSignal signal;
    private final ObjectProvider<CamelContext> camel;
    private volatile CamelContext camelContext; // from camel, once there is one
    private final Queue<Outcome> finished = new ConcurrentLinkedQueue<>();
    private final Queue<Outcome> unwritten = new ConcurrentLinkedQueue<>(); // outcomes the database did not take yet
    private volatile int unwrittenLogged;
    private volatile String lastWriteError;
    private final Queue<String> held = new ConcurrentLinkedQueue<>();
    private final AtomicInteger heldCount = new AtomicInteger();
    private final AtomicInteger batchesRunning = new AtomicInteger();
    private volatile boolean pollAgain = true; // the first poll looks at once
    private volatile long lastPoll = System.nanoTime();
    private volatile long lastStrandedLook = System.nanoTime() - TimeUnit.DAYS.toNanos(1); // the first poll looks
    private volatile long seenWakeUps;
    private volatile boolean stopped;
    private volatile String unreadable; // why the last poll failed, while it fails
    private final String node;

    public Inbox(JdbcTemplate jdbc, TransactionTemplate transactions, DispatchProperties properties, HubMetrics metrics, Clock clock,
                 DispatchSignal signal, ObjectProvider<CamelContext> camel, NodeIdentity node) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.signal = signal;
        this.camel = camel;
        this.seenWakeUps = signal.current();
        this.named = new NamedParameterJdbcTemplate(jdbc);
        this.properties = properties;
        this.metrics = metrics;
        this.clock = clock;
        this.node = node.id();
    }

    /** This node's name in wechat_event.claimed_by and wechat_node. */
    public String node() {
        return node;
    }

    /**
     * Whether the push being recorded now may be recorded as claimed by this node, and handed to
     * its dispatcher without a poll ({@link #recorded}): only while this node's dispatcher runs
     * and has fewer than a batch of such events waiting. Otherwise it is recorded pending, for
     * whichever node polls first.
     */
    boolean canHold() {
        if (stopped || heldCount.get() >= properties.batchSize()) {
            return false;
        }
        CamelContext context = camelContext;
        if (context == null) {
            context = camelContext = camel.getIfAvailable();
        }
        ServiceStatus dispatcher = context == null ? null : context.getRouteController().getRouteStatus(DISPATCH_ROUTE);
        return dispatcher != null && dispatcher.isStarted();
    }

    /** A push is in the inbox: held by this node (recorded claimed) or pending; the dispatcher is woken. */
    void recorded(String id, boolean holding) {
        if (holding) {
            hold(id);
        } else {
            pollAgain = true;
        }
        signal.wake();
    }

    /**
     * The next batch ({@link #nextBatch}), counted as running until the dispatcher's exchange for it
     * completes: {@link #awaitWork} lets at most {@value #BATCHES_IN_FLIGHT} run at once.
     */
    public List<Map<String, Object>> claim(Exchange exchange) {
        List<Map<String, Object>> batch = nextBatch();
        if (!batch.isEmpty()) {
            batchesRunning.incrementAndGet();
            // However the batch ends (its outcomes written, or an error), the next may be claimed.
            exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onDone(Exchange ended) {
                    batchesRunning.decrementAndGet();
                    signal.wake();
                }
            });
        }
        return batch;
    }

    /**
     * The next batch: the events this node recorded for itself (one statement reads those that
     * may run), and, when the poll interval has passed or more is known to be due, up to a batch of
     * due events and events of dead nodes, claimed by a conditional UPDATE. While the inbox cannot
     * be read (database down, table missing) each poll claims nothing, and that is logged once
     * when it starts and once when it ends, not as a stack trace every poll; the {@code inbox}
     * health component says the same.
     */
    List<Map<String, Object>> nextBatch() {
        try {
            List<Map<String, Object>> batch = new ArrayList<>(openHeld());
            if (pollAgain || System.nanoTime() - lastPoll >= properties.pollInterval().toNanos()) {
                pollAgain = false;
                lastPoll = System.nanoTime();
                List<Map<String, Object>> claimed = claimBatch();
                pollAgain |= claimed.size() >= properties.batchSize();
                batch.addAll(claimed);
            }
            if (unreadable != null) {
                log.info("The dispatcher can read the inbox again");
                unreadable = null;
            }
            return batch;
        } catch (DataAccessException e) {
            String reason = DatabaseErrors.reason(e);
            if (!reason.equals(unreadable)) {
                log.warn("The dispatcher cannot read the inbox, retrying every poll: {}", reason);
                unreadable = reason;
            }
            return List.of();
        }
    }

    /**
     * Reads the held events that may run now. One whose follower has an earlier event still
     * waiting (recorded on another node, or in this batch) is released to pending: the poll takes
     * it once that one is finished, so a follower's events still run in CreateTime order.
     */
    private List<Map<String, Object>> openHeld() {
        List<String> ids = takeHeld(properties.batchSize());
        if (ids.isEmpty()) {
            return List.of();
        }
        var params = new MapSqlParameterSource().addValue("ids", ids).addValue("node", node);
        List<Map<String, Object>> rows;
        try {
            rows = named.queryForList(HELD, params);
        } catch (DataAccessException e) {
            ids.forEach(this::hold); // still claimed by this node: tried again next poll
            throw e;
        }
        if (rows.size() < ids.size()) {
            List<Object> open = rows.stream().map(row -> row.get("id")).toList();
            List<String> waiting = ids.stream().filter(id -> !open.contains(id)).toList();
            named.update(RELEASE, params.addValue("ids", waiting));
            pollAgain = true;
        }
        return rows;
    }

    private void hold(String id) {
        heldCount.incrementAndGet();
        held.add(id);
    }

    /** Up to {@code limit} of the held ids, oldest first. */
    private List<String> takeHeld(int limit) {
        List<String> ids = new ArrayList<>();
        for (String id = held.poll(); id != null; id = ids.size() < limit ? held.poll() : null) {
            ids.add(id);
        }
        heldCount.addAndGet(-ids.size());
        return ids;
    }

    /**
     * On shutdown, after the dispatcher has stopped: events recorded for this node's dispatcher
     * that it did not start go back to pending, for the next node to poll (without this, another
     * node would take them over as soon as this node's heartbeat is gone, which is the same).
     */
    @PreDestroy
    void releaseHeld() {
        stopped = true;
        flush(); // a last try at outcomes kept from batches the database did not take
        List<String> ids = takeHeld(Integer.MAX_VALUE);
        if (ids.isEmpty()) {
            return;
        }
        try {
            named.update(RELEASE, new MapSqlParameterSource().addValue("ids", ids).addValue("node", node));
        } catch (DataAccessException e) {
            log.info("Could not release {} held events on shutdown; another node takes them over: {}", ids.size(),
                    DatabaseErrors.reason(e));
        }
    }

    private long strandedLookEvery() {
        return Math.min(TimeUnit.SECONDS.toNanos(1), properties.nodeTimeout().toNanos() / 4);
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
        List<String> candidates = new ArrayList<>();
        if (System.nanoTime() - lastStrandedLook >= strandedLookEvery()) {
            // It reads every claimed row; under load that is the batches in flight and the held
            // events, so it looks once a second (a quarter of the node timeout when that is
            // shorter), not every poll: a dead node's events are still taken within the timeout.
            candidates.addAll(named.queryForList(STRANDED, claim, String.class));
            if (candidates.size() < properties.batchSize()) {
                lastStrandedLook = System.nanoTime(); // a full batch of them: look again at the next poll
            }
        }
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
        exchange.setProperty(STARTED, clock.instant());
        message.getHeaders().clear();
        message.setHeader(EventIdentity.EVENT_ID, row.get("id"));
        message.setHeader("account", row.get("account"));
        message.setHeader(EventIdentity.OPEN_ID, row.get("open_id"));
        message.setHeader(EventIdentity.MSG_TYPE, row.get("msg_type"));
        message.setHeader(EventIdentity.EVENT, row.get("event"));
        message.setBody(row.get("fields"));
    }

    /**
     * Waits for work before the next claim: returns at once when this node holds events it
     * recorded, or more is due in the inbox (the last poll filled a whole batch, an event was
     * released or replayed, a push was recorded pending), else at the next poll interval. First,
     * while {@value #BATCHES_IN_FLIGHT} batches are running, until one of them ends.
     */
    public void awaitWork() throws InterruptedException {
        for (long seen = signal.current(); batchesRunning.get() >= BATCHES_IN_FLIGHT; seen = signal.current()) {
            signal.await(seen, properties.pollInterval().toMillis()); // woken when a batch ends
        }
        long untilPoll = properties.pollInterval().toNanos() - (System.nanoTime() - lastPoll);
        if (heldCount.get() > 0 || pollAgain || untilPoll <= 0) {
            seenWakeUps = signal.current();
            return;
        }
        long seen = seenWakeUps;
        seenWakeUps = signal.await(seen, (untilPoll + 999_999) / 1_000_000);
        if (seenWakeUps == seen) {
            pollAgain = true; // the poll interval has passed
        }
    }

    /** An event went through its route: it is marked done with the rest of its batch ({@link #flush}). */
    public void done(Exchange exchange) {
        finished.add(outcome(exchange, "done", null, null));
    }

    /**
     * Schedules another attempt with back-off, or marks the event dead after the last one; with
     * the rest of its batch ({@link #flush}).
     */
    public void failed(Exchange exchange) {
        Map<String, Object> row = row(exchange);
        String error = error(exchange);
        int attempts = ((Number) row.get("attempts")).intValue(); // counted by the claim
        Instant notBefore = notBefore(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        Instant now = clock.instant();
        if (notBefore != null && row.get("received_at") != null
                && EventFields.instant(row.get("received_at")).plus(properties.maxDefer()).isAfter(now)) {
            // Retrying sooner cannot help, and must not spend the attempts: at the backoff's end, or
            // after hub.dispatch.max-backoff when that is sooner (an operator may fix it meanwhile).
            Instant soonest = now.plus(properties.maxBackoff());
            Timestamp next = Timestamp.from(notBefore.isBefore(soonest) ? notBefore : soonest);
            finished.add(outcome(exchange, "defer", error, next));
            log.info("Event {} ({}) deferred to {} without counting an attempt: {}", row.get("id"), row.get("event"), next, error);
            return;
        }
        if (attempts >= properties.maxAttempts()) {
            dead(exchange, error, "after " + attempts + " attempts");
        } else {
            Timestamp next = Timestamp.from(clock.instant().plus(properties.backoffAfter(attempts)));
            finished.add(outcome(exchange, "retry", error, next));
            log.info("Event {} ({}) failed attempt {}, retrying at {}: {}", row.get("id"), row.get("event"), attempts, next, error);
        }
    }

    /** The time the failure (or one of its causes) says a retry may succeed, if it says one. */
    private static Instant notBefore(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof NotBefore deferral && deferral.notBefore() != null) {
                return deferral.notBefore();
            }
        }
        return null;
    }

    /**
     * Marks the event dead at once: a downstream refused the request itself (the CRM answered
     * 404, say), and sending it again would be refused again. An operator replays it once the
     * cause is fixed.
     */
    public void refused(Exchange exchange) {
        dead(exchange, error(exchange), "at once: the request was refused, a retry would be too");
    }

    private void dead(Exchange exchange, String error, String when) {
        Outcome outcome = outcome(exchange, "dead", error, null);
        finished.add(outcome);
        log.warn("Event {} ({}) is dead {}: {}", outcome.row().get("id"), outcome.row().get("event"), when, error);
    }

    /** The attempt on the exchange ended now with this outcome. */
    private Outcome outcome(Exchange exchange, String status, String error, Timestamp nextAttempt) {
        Instant ended = clock.instant();
        Instant started = exchange.getProperty(STARTED, Instant.class);
        return new Outcome(row(exchange), status, error, nextAttempt, Timestamp.from(started != null ? started : ended),
                Timestamp.from(ended));
    }

    /**
     * Records the outcomes of the batch's events: one statement marks those done, one batch of
     * statements those failed (each with its own error and next attempt). Until then they stay
     * claimed by this node: were it to die in between, another node would take them over and send
     * them again (with the same Idempotency-Key and message id), as with any event a dead node had
     * claimed.
     * <p>
     * A write the database fails (a hiccup, a lock timeout, a row a trigger refuses) is not
     * dropped, or the events would run again after the lease and call the CRM twice: a batched
     * statement is tried {@value #WRITE_ATTEMPTS} times, then each of its rows alone; what still
     * cannot be written (the database is away) is kept, and written row by row at the end of the
     * next batch. Meanwhile those events stay claimed by this live node, so none runs again.
     */
    public void flush() {
        List<Outcome> outcomes = drain(finished);
        List<Outcome> kept = drain(unwritten);
        List<Outcome> notWritten = new ArrayList<>();
        if (!kept.isEmpty()) {
            notWritten.addAll(writeAlone(kept));
            if (notWritten.isEmpty()) {
                log.info("The {} outcomes kept from earlier batches are written", kept.size());
            }
        }
        for (String status : List.of("done", "retry", "defer", "dead")) {
            List<Outcome> group = outcomes.stream().filter(o -> o.status().equals(status)).toList();
            if (!group.isEmpty() && !writeBatch(status, group)) {
                notWritten.addAll(writeAlone(group));
            }
        }
        if (!notWritten.isEmpty()) {
            unwritten.addAll(notWritten);
            if (notWritten.size() != unwrittenLogged) { // once, not every poll while the database refuses
                log.warn("{} outcomes could not be written; their events stay claimed by this node and are written with the next batch: {}",
                        notWritten.size(), lastWriteError);
            }
        }
        unwrittenLogged = notWritten.size();
    }

    /** Attempts of a batched outcome statement before its rows are written one by one. */
    static final int WRITE_ATTEMPTS = 3;

    private static final long WRITE_PAUSE_MILLIS = 50;

    /** The group's batched statement, tried {@value #WRITE_ATTEMPTS} times; false if it never went through. */
    private boolean writeBatch(String status, List<Outcome> group) {
        for (int attempt = 1; ; attempt++) {
            try {
                write(status, group);
                return true;
            } catch (DataAccessException e) {
                if (attempt >= WRITE_ATTEMPTS) {
                    log.warn("Could not mark {} events {} in one statement after {} attempts, writing each alone: {}",
                            group.size(), status, attempt, DatabaseErrors.reason(e));
                    return false;
                }
                log.info("Could not mark {} events {} (attempt {}), trying again: {}", group.size(), status, attempt,
                        DatabaseErrors.reason(e));
                if (!pause(WRITE_PAUSE_MILLIS * attempt)) {
                    return false;
                }
            }
        }
    }

    /**
     * Each outcome in a statement of its own; returns those not written. Stops at the first
     * failure that says the database is away or overloaded (every further row would wait for it
     * too) and returns the rest unwritten with it; a row refused by itself does not stop the others.
     */
    private List<Outcome> writeAlone(List<Outcome> outcomes) {
        List<Outcome> notWritten = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome outcome = outcomes.get(i);
            try {
                write(outcome.status(), List.of(outcome));
            } catch (DataAccessException e) {
                lastWriteError = "event " + outcome.row().get("id") + " " + outcome.status() + ": " + DatabaseErrors.reason(e);
                if (e instanceof TransientDataAccessException || e instanceof DataAccessResourceFailureException) {
                    notWritten.addAll(outcomes.subList(i, outcomes.size()));
                    return notWritten;
                }
                notWritten.add(outcome);
            }
        }
        return notWritten;
    }

    // An attempt's row in the event's history, numbered by the claim that started it. Only while
    // the event is still claimed by this node, as the outcome's UPDATE: an outcome written again
    // adds no second row.
    private static final String ATTEMPT_HISTORY = """
            INSERT INTO wechat_event_history (event_id, attempt, outcome, started_at, ended_at, error, node)
            SELECT id, total_attempts, ?, ?, ?, ?, claimed_by FROM wechat_event
            WHERE id = ? AND status = 'claimed' AND claimed_by = ?""";

    /**
     * Marks the outcomes (all of one status) in the inbox, in one transaction with their attempts'
     * rows in the events' history (one batch of statements): those done in one statement, the
     * others in one batch of statements, each with its own arguments. Only rows this node still
     * holds claimed change, so writing an outcome again is harmless.
     */
    private void write(String status, List<Outcome> outcomes) {
        if (!("done".equals(status) && writeAllDone(outcomes))) {
            transactions.executeWithoutResult(transaction -> {
                jdbc.batchUpdate(ATTEMPT_HISTORY, outcomes.stream().map(o -> new Object[] {o.historyOutcome(), o.started(), o.ended(),
                        new SqlParameterValue(Types.VARCHAR, o.error()), o.row().get("id"), node}).toList());
                writeOutcomes(status, outcomes);
            });
        }
        outcomes.forEach(o -> metrics.dispatched(eventTag(o.row()), o.status()));
    }

    /** Rows of the history written by one multi-row INSERT. */
    private static final int HISTORY_ROWS_PER_INSERT = 250;

    /**
     * The usual case of a batch done: one UPDATE marks them all, and when it changed every row
     * (this node still held each), their attempts go into the history as multi-row INSERTs, with
     * the attempt numbers read at the claim. A batch per row of INSERT … SELECT cost PostgreSQL
     * more than the outcome itself. Otherwise (a row was taken over, or written before) nothing
     * is kept and false says to write them the careful way, row by row.
     */
    private boolean writeAllDone(List<Outcome> outcomes) {
        if (outcomes.stream().anyMatch(o -> o.row().get("total_attempts") == null)) {
            return false;
        }
        return Boolean.TRUE.equals(transactions.execute(transaction -> {
            if (markDone(outcomes) != outcomes.size()) {
                transaction.setRollbackOnly();
                return false;
            }
            for (int from = 0; from < outcomes.size(); from += HISTORY_ROWS_PER_INSERT) {
                List<Outcome> rows = outcomes.subList(from, Math.min(outcomes.size(), from + HISTORY_ROWS_PER_INSERT));
                List<Object> args = new ArrayList<>(rows.size() * 7);
                rows.forEach(o -> args.addAll(Arrays.asList(o.row().get("id"), o.row().get("total_attempts"), o.historyOutcome(),
                        o.started(), o.ended(), new SqlParameterValue(Types.VARCHAR, o.error()), node)));
                jdbc.update("INSERT INTO wechat_event_history (event_id, attempt, outcome, started_at, ended_at, error, node) VALUES "
                        + String.join(", ", Collections.nCopies(rows.size(), "(?, ?, ?, ?, ?, ?, ?)")), args.toArray());
            }
            return true;
        }));
    }

    private int markDone(List<Outcome> outcomes) {
        return named.update("""
                        UPDATE wechat_event SET status = 'done', done_at = :now, last_error = NULL
                        WHERE """ + STILL_HELD,
                new MapSqlParameterSource().addValue("now", now()).addValue("node", node)
                        .addValue("ids", outcomes.stream().map(o -> o.row().get("id")).toList()));
    }

    private void writeOutcomes(String status, List<Outcome> outcomes) {
        switch (status) {
            case "done" -> markDone(outcomes);
            case "retry" -> jdbc.batchUpdate("""
                            UPDATE wechat_event SET status = 'pending', last_error = ?, next_attempt_at = ?
                            WHERE id = ? AND status = 'claimed' AND claimed_by = ?""",
                    outcomes.stream().map(o -> new Object[] {o.error(), o.nextAttempt(), o.row().get("id"), node}).toList());
            case "defer" -> jdbc.batchUpdate("""
                            UPDATE wechat_event SET status = 'pending', last_error = ?, next_attempt_at = ?, attempts = attempts - 1
                            WHERE id = ? AND status = 'claimed' AND claimed_by = ?""",
                    outcomes.stream().map(o -> new Object[] {o.error(), o.nextAttempt(), o.row().get("id"), node}).toList());
            case "dead" -> jdbc.batchUpdate("""
                            UPDATE wechat_event SET status = 'dead', last_error = ?
                            WHERE id = ? AND status = 'claimed' AND claimed_by = ?""",
                    outcomes.stream().map(o -> new Object[] {o.error(), o.row().get("id"), node}).toList());
            default -> throw new IllegalArgumentException("no outcome " + status);
        }
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<Outcome> drain(Queue<Outcome> queue) {
        List<Outcome> outcomes = new ArrayList<>();
        for (Outcome outcome = queue.poll(); outcome != null; outcome = queue.poll()) {
            outcomes.add(outcome);
        }
        return outcomes;
    }

    /**
     * How one claimed event's attempt ended: done, retry or defer (at nextAttempt) or dead, with
     * the error that ended it, and when the attempt started and ended.
     */
    private record Outcome(Map<String, Object> row, String status, String error, Timestamp nextAttempt, Timestamp started,
                           Timestamp ended) {

        /** The outcome's name in the event's history. */
        String historyOutcome() {
            return status.equals("defer") ? "deferred" : status;
        }
    }

    private static String error(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String error = cause == null ? "unknown error" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return error.length() > ERROR_WIDTH ? error.substring(0, ERROR_WIDTH) : error;
    }

    /** What a replay of one event came to. */
    public enum Replay {
        /** Back to pending, due now; the dispatcher is woken. */
        REPLAYED,
        /** No such event. */
        NOT_FOUND,
        /** Done, and not forced: replaying it would make its CRM calls and broker message again. */
        DONE,
        /** A node is dispatching it right now. */
        CLAIMED
    }

    /** Who asked for a replay, for the event's history: the operator API's client address. */
    static final int REPLAYED_BY_WIDTH = 128;

    /** Events replayed in one transaction; a bulk replay of more takes several. */
    static final int REPLAY_CHUNK = 500;

    /**
     * Puts an event back to pending, due now, with a fresh set of attempts, and wakes this node's
     * dispatcher. A dead or pending event (replaying a pending one just makes it due now); a done
     * one only when forced. The status is checked by the statements that replay it, holding the
     * row: an event that was done meanwhile, by any node, stays done unless forced.
     */
    public Replay replay(String id, boolean force, String by) {
        String statuses = force ? "status IN ('dead', 'done', 'pending')" : "status IN ('dead', 'pending')";
        if (replay(statuses, "id = ?", List.of(id), by, force, false) == 1) {
            return Replay.REPLAYED;
        }
        List<String> status = jdbc.queryForList("SELECT status FROM wechat_event WHERE id = ?", String.class, id);
        return status.isEmpty() ? Replay.NOT_FOUND : status.get(0).equals("done") ? Replay.DONE : Replay.CLAIMED;
    }

    /**
     * Replays every dead event matching {@code condition} (SQL over wechat_event's columns, with
     * its JDBC parameters), as {@link #replay(String, boolean, String)} does one; returns how many.
     */
    public int replayDead(String condition, List<Object> args, String by) {
        return replay("status = 'dead'", condition, args, by, false, true);
    }

    /**
     * The one way events are replayed: in transactions of up to {@value #REPLAY_CHUNK} events,
     * each locks the events it replays (those in {@code statuses} matching {@code condition}),
     * puts them back to pending and adds a "replayed" row to each one's history; after each, this
     * node's dispatcher is woken, so it takes them at once rather than at its next poll.
     */
    private int replay(String statuses, String condition, List<Object> args, String by, boolean forced, boolean bulk) {
        String who = by == null || by.length() <= REPLAYED_BY_WIDTH ? by : by.substring(0, REPLAYED_BY_WIDTH);
        int replayed = 0;
        int chunk;
        do {
            chunk = transactions.execute(transaction -> replayChunk(statuses, condition, args, who, forced, bulk));
            if (chunk > 0) {
                replayed += chunk;
                pollAgain = true;
                signal.wake();
            }
        } while (chunk == REPLAY_CHUNK && bulk); // a single event is one chunk; replayed dead events are no longer dead
        return replayed;
    }

    private int replayChunk(String statuses, String condition, List<Object> args, String by, boolean forced, boolean bulk) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT id, total_attempts FROM wechat_event WHERE " + statuses + " AND ("
                + condition + ") ORDER BY seq LIMIT " + REPLAY_CHUNK + " FOR UPDATE", args.toArray());
        if (rows.isEmpty()) {
            return 0;
        }
        Timestamp now = now();
        List<Object> update = new ArrayList<>();
        update.add(now);
        rows.forEach(row -> update.add(row.get("id")));
        jdbc.update("UPDATE wechat_event SET status = 'pending', attempts = 0, next_attempt_at = ?, claimed_at = NULL, claimed_by = NULL"
                + " WHERE id IN (" + String.join(", ", Collections.nCopies(rows.size(), "?")) + ") AND " + statuses,
                update.toArray());
        jdbc.batchUpdate("""
                INSERT INTO wechat_event_history (event_id, attempt, outcome, started_at, ended_at, node, replayed_by, forced, bulk)
                VALUES (?, ?, 'replayed', ?, ?, ?, ?, ?, ?)""",
                rows.stream().map(row -> new Object[] {row.get("id"), row.get("total_attempts"), now, now, node,
                        new SqlParameterValue(Types.VARCHAR, by), forced, bulk}).toList());
        return rows.size();
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
