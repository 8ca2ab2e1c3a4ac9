package com.wechathub.inbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.idempotency.EventIdentity;
import com.wechathub.metrics.HubMetrics;
import com.wechathub.wechat.WechatEvent;
import com.wechathub.wechat.WechatPushes;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import jakarta.annotation.PreDestroy;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes a push to the inbox (table wechat_event) before WeChat gets its answer, so an event the
 * hub answered 200 survives a crash right after. The primary key is the event id: when the
 * dedupe store missed a retry (Redis down, key expired) the second insert is refused and the push
 * is treated as the duplicate it is.
 */
@Component("inboxRecorder")
public class InboxRecorder {

    private static final Logger log = LoggerFactory.getLogger(InboxRecorder.class);

    // Pending, or held by this node from the start: claimed by it, its first attempt counted (Inbox#canHold).
    private static final String INSERT = """
            INSERT INTO wechat_event (id, account, open_id, msg_type, event, event_key, create_time,
                                      fields, raw_xml, status, attempts, total_attempts, next_attempt_at,
                                      received_at, claimed_at, claimed_by, traceparent)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    /** How long a duplicate waits for its original to reach the inbox (see {@link #awaitOriginal}). */
    static final Duration ORIGINAL_WAIT = Duration.ofSeconds(1);

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final HubMetrics metrics;
    private final Clock clock;
    private final Inbox inbox;
    private final GroupCommit groupCommit;
    private final PushTraceparent traceparent;

    public InboxRecorder(JdbcTemplate jdbc, ObjectMapper json, HubMetrics metrics, Clock clock, Inbox inbox,
                         TransactionTemplate transactions, PushTraceparent traceparent) {
        this.jdbc = jdbc;
        this.traceparent = traceparent;
        this.groupCommit = new GroupCommit(transactions, this::writeBatch, GroupCommit.WRITERS);
        this.inbox = inbox;
        this.json = json;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * A push whose dedupe key is already taken is a retry, or a twin another request is handling
     * right now (on this node or another). It gets the original's answer only once the original is
     * in the inbox: a 200 given while the original may still fail, and release its key, would tell
     * WeChat an event was taken that is then lost. If the original does not show up within
     * {@link #ORIGINAL_WAIT}, the duplicate is answered 503 and, failing, releases the key, so
     * WeChat's next retry is processed; also when the original's node died holding the key.
     */
    public void awaitOriginal(Exchange exchange) throws InterruptedException {
        String id = exchange.getMessage().getHeader(EventIdentity.EVENT_ID, String.class);
        long deadline = System.nanoTime() + ORIGINAL_WAIT.toNanos();
        while (!isRecorded(id)) {
            if (System.nanoTime() - deadline > 0) {
                throw new TransientDataAccessResourceException(
                        "event " + id + " is taken by another request but not in the inbox after " + ORIGINAL_WAIT.toMillis() + " ms");
            }
            Thread.sleep(20);
        }
    }

    private boolean isRecorded(String id) {
        return Boolean.TRUE.equals(withReadTimeout(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM wechat_event WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet found = select.executeQuery()) {
                    return found.next();
                }
            }
        }));
    }

    /**
     * Runs a statement on a pooled connection with a read timeout. The query timeout cancels a slow
     * statement with a cancel request PostgreSQL gets on a new connection; when the network to the
     * database is partitioned that request never arrives, and the statement would wait for its
     * answer as long as TCP holds on (minutes). The read timeout, just over the query timeout so
     * that where the database is reachable the cancel comes first, bounds that case too; the pool
     * restores it.
     */
    private int readTimeoutMillis() {
        int queryTimeout = jdbc.getQueryTimeout();
        return (queryTimeout > 0 ? queryTimeout + 1 : 3) * 1000;
    }

    private <T> T withReadTimeout(ConnectionCallback<T> work) {
        int millis = readTimeoutMillis();
        return jdbc.execute((ConnectionCallback<T>) connection -> {
            connection.setNetworkTimeout(Runnable::run, millis);
            return work.doInConnection(connection);
        });
    }

    /**
     * Records the push: with the other pushes waiting to be recorded at this moment, in one
     * transaction ({@link GroupCommit}), or alone. Returns once its row is committed.
     */
    public void record(Exchange exchange) throws JsonProcessingException, InterruptedException {
        Message message = exchange.getMessage();
        WechatEvent event = message.getBody(WechatEvent.class);
        String id = message.getHeader(EventIdentity.EVENT_ID, String.class);
        Timestamp now = new Timestamp(clock.millis());
        boolean holding = inbox.canHold();
        Object[] row = {id, message.getHeader("account", String.class), event.getFromUserName(), event.getMsgType(),
                nullable(event.getEvent()), nullable(event.getEventKey()), event.getCreateTime(),
                json.writeValueAsString(event), exchange.getProperty(WechatPushes.RAW_XML, String.class),
                holding ? "claimed" : "pending", holding ? 1 : 0, holding ? 1 : 0, now, now,
                holding ? now : new SqlParameterValue(Types.TIMESTAMP, null),
                holding ? inbox.node() : new SqlParameterValue(Types.VARCHAR, null),
                nullable(traceparent.of(exchange))};
        Runnable recorded = () -> inbox.recorded(id, holding); // this node's dispatcher takes it now, not at its next poll
        try {
            if (groupCommit.write(row, recorded, readTimeoutMillis()) == GroupCommit.Result.WRITE_ALONE) {
                withReadTimeout(connection -> {
                    try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                        new ArgumentPreparedStatementSetter(row).setValues(insert);
                        return insert.executeUpdate();
                    }
                });
                recorded.run();
            }
            metrics.pushAccepted(exchange);
        } catch (DuplicateKeyException e) {
            log.debug("Event {} is already in the inbox: a retry the dedupe store did not catch", id);
            metrics.duplicate(exchange);
        } catch (DataAccessResourceFailureException e) {
            evictIdleConnections();
            throw e;
        }
    }

    /** A batch of rows in the current transaction, on a connection with the read timeout. */
    private void writeBatch(List<Object[]> rows) {
        withReadTimeout(connection -> jdbc.batchUpdate(INSERT, rows));
    }

    private static Object nullable(String value) {
        return value != null ? value : new SqlParameterValue(Types.VARCHAR, null);
    }

    @PreDestroy
    void stop() {
        groupCommit.stop();
    }

    /**
     * A connection that broke usually broke with its siblings (database restarted, network cut).
     * The pool hands out a connection used in the last 500 ms without checking it, so WeChat's
     * retry would meet the next dead one; evicting the idle ones lets it get a fresh connection.
     */
    private void evictIdleConnections() {
        if (jdbc.getDataSource() instanceof HikariDataSource pool && pool.getHikariPoolMXBean() != null) {
            pool.getHikariPoolMXBean().softEvictConnections();
        }
    }
}
