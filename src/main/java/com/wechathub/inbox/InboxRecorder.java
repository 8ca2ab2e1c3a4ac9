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
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
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
import org.springframework.stereotype.Component;

/**
 * Writes a push to the inbox (table wechat_event) before WeChat gets its answer, so an event the
 * hub answered 200 survives a crash right after. The primary key is the event id: when the
 * dedupe store missed a retry (Redis down, key expired) the second insert is refused and the push
 * is treated as the duplicate it is.
 */
@Component("inboxRecorder")
public class InboxRecorder {

    private static final Logger log = LoggerFactory.getLogger(InboxRecorder.class);

    private static final String INSERT = """
            INSERT INTO wechat_event (id, account, open_id, msg_type, event, event_key, create_time,
                                      fields, raw_xml, status, attempts, next_attempt_at, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)""";

    // Held by this node from the start: claimed by it, its first attempt counted (Inbox#canHold).
    private static final String INSERT_HELD = """
            INSERT INTO wechat_event (id, account, open_id, msg_type, event, event_key, create_time,
                                      fields, raw_xml, status, attempts, next_attempt_at, received_at,
                                      claimed_at, claimed_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'claimed', 1, ?, ?, ?, ?)""";

    /** How long a duplicate waits for its original to reach the inbox (see {@link #awaitOriginal}). */
    static final Duration ORIGINAL_WAIT = Duration.ofSeconds(1);

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final HubMetrics metrics;
    private final Clock clock;
    private final Inbox inbox;

    public InboxRecorder(JdbcTemplate jdbc, ObjectMapper json, HubMetrics metrics, Clock clock, Inbox inbox) {
        this.jdbc = jdbc;
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
    private <T> T withReadTimeout(ConnectionCallback<T> work) {
        int queryTimeout = jdbc.getQueryTimeout();
        int millis = (queryTimeout > 0 ? queryTimeout + 1 : 3) * 1000;
        return jdbc.execute((ConnectionCallback<T>) connection -> {
            connection.setNetworkTimeout(Runnable::run, millis);
            return work.doInConnection(connection);
        });
    }

    public void record(Exchange exchange) throws JsonProcessingException {
        Message message = exchange.getMessage();
        WechatEvent event = message.getBody(WechatEvent.class);
        String id = message.getHeader(EventIdentity.EVENT_ID, String.class);
        Timestamp now = new Timestamp(clock.millis());
        boolean holding = inbox.canHold();
        Object[] columns = {id, message.getHeader("account", String.class), event.getFromUserName(),
                event.getMsgType(), event.getEvent(), event.getEventKey(), event.getCreateTime(),
                json.writeValueAsString(event), exchange.getProperty(WechatPushes.RAW_XML, String.class), now, now,
                now, inbox.node()};
        Object[] values = holding ? columns : Arrays.copyOf(columns, columns.length - 2);
        String sql = holding ? INSERT_HELD : INSERT;
        try {
            withReadTimeout(connection -> {
                try (PreparedStatement insert = connection.prepareStatement(sql)) {
                    new ArgumentPreparedStatementSetter(values).setValues(insert);
                    return insert.executeUpdate();
                }
            });
            metrics.pushAccepted(exchange);
            inbox.recorded(id, holding); // this node's dispatcher takes it now rather than at its next poll
        } catch (DuplicateKeyException e) {
            log.debug("Event {} is already in the inbox: a retry the dedupe store did not catch", id);
            metrics.duplicate(exchange);
        } catch (DataAccessResourceFailureException e) {
            evictIdleConnections();
            throw e;
        }
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
