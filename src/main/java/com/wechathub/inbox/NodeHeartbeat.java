package com.wechathub.inbox;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * This node's heartbeat in {@code wechat_node}, every {@code hub.dispatch.node-timeout} / 5, on a
 * thread of its own (a dispatcher busy with a slow batch still beats). The inbox takes over the
 * events a node had claimed once its heartbeat is older than the node timeout: seconds after a
 * kill -9, not the whole lease. Started before the dispatcher and stopped after it; a node that
 * stops gracefully removes its row, and rows of nodes gone for longer than a day are pruned.
 */
@Component
class NodeHeartbeat implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NodeHeartbeat.class);
    private static final Duration PRUNE_AFTER = Duration.ofDays(1);

    private final JdbcTemplate jdbc;
    private final Inbox inbox;
    private final Duration every;
    private final boolean dispatching;
    private final Clock clock;
    private final Timestamp startedAt;
    private ScheduledExecutorService beats;
    private volatile boolean failing;

    NodeHeartbeat(JdbcTemplate jdbc, Inbox inbox, DispatchProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.inbox = inbox;
        this.every = properties.nodeTimeout().dividedBy(5);
        this.dispatching = properties.enabled();
        this.clock = clock;
        this.startedAt = new Timestamp(clock.millis());
    }

    @Override
    public synchronized void start() {
        if (!dispatching || beats != null) {
            return;
        }
        beat(); // before the dispatcher claims anything
        beats = Executors.newSingleThreadScheduledExecutor(GroupCommit.daemonThreads("node-heartbeat-"));
        beats.scheduleWithFixedDelay(this::beat, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    void beat() {
        Timestamp now = new Timestamp(clock.millis());
        try {
            if (jdbc.update("UPDATE wechat_node SET heartbeat_at = ? WHERE id = ?", now, inbox.node()) == 0) {
                jdbc.update("INSERT INTO wechat_node (id, started_at, heartbeat_at) VALUES (?, ?, ?)", inbox.node(), startedAt, now);
                jdbc.update("DELETE FROM wechat_node WHERE heartbeat_at < ?", new Timestamp(now.getTime() - PRUNE_AFTER.toMillis()));
            }
            if (failing) {
                log.info("Node heartbeat written again");
                failing = false;
            }
        } catch (DataAccessException e) {
            if (!failing) {
                // the dispatcher cannot claim either while the database is gone: nothing runs twice
                log.warn("Could not write this node's heartbeat: {}", e.getMostSpecificCause().getMessage());
                failing = true;
            }
        }
    }

    @Override
    public synchronized void stop() {
        if (beats == null) {
            return;
        }
        beats.shutdownNow();
        beats = null;
        try {
            jdbc.update("DELETE FROM wechat_node WHERE id = ?", inbox.node());
        } catch (DataAccessException e) {
            log.debug("Could not remove this node's heartbeat: {}", e.toString());
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return beats != null;
    }

    /** Early: started before Camel's routes (the dispatcher), stopped after them. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }
}
