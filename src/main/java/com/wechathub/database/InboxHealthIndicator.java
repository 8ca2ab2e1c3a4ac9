package com.wechathub.database;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@code inbox} component of /actuator/health, part of readiness: can the hub record a push?
 * A reachable database is not enough (the {@code db} component): the table must be where the
 * statements look, and the hub's user must be allowed to insert into it. So the check inserts a
 * probe row in a transaction it always rolls back — no push is written, nothing is ever visible.
 * DOWN while it fails, so an orchestrator stops sending pushes to a hub that would refuse them
 * all with 503; UP again as soon as the cause is fixed, without a restart.
 */
@Component
class InboxHealthIndicator implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(InboxHealthIndicator.class);

    private static final String PROBE = """
            INSERT INTO wechat_event (id, account, open_id, msg_type, create_time, fields, raw_xml, status, attempts,
                                      next_attempt_at, received_at)
            VALUES (?, 'health-probe', 'health-probe', 'probe', 0, '{}', '', 'pending', 0, ?, ?)""";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate rollbackOnly;
    private final InboxLocation location;
    private final Clock clock;
    private final String probeId = "health-probe-" + UUID.randomUUID();

    InboxHealthIndicator(JdbcTemplate jdbc, PlatformTransactionManager transactions, InboxLocation location, Clock clock) {
        this.jdbc = jdbc;
        this.rollbackOnly = new TransactionTemplate(transactions);
        this.location = location;
        this.clock = clock;
    }

    @Override
    public Health health() {
        String where = where();
        try {
            probe();
            return Health.up().withDetail("table", "wechat_event").withDetail("location", where).build();
        } catch (DataAccessException e) {
            return Health.down().withDetail("table", "wechat_event").withDetail("location", where)
                    .withDetail("error", DatabaseErrors.reason(e)).withDetail("hint", hint()).build();
        }
    }

    /** Says plainly at start-up when the hub cannot record a push, instead of a 503 per push and nothing else. */
    @EventListener(ApplicationReadyEvent.class)
    void checkAtStartUp() {
        String where = where();
        try {
            probe();
            log.info("Inbox: pushes are recorded in table wechat_event, {}", where);
            warnOfAnEarlierInbox(where);
        } catch (DataAccessException e) {
            log.error("The inbox cannot record pushes: {} (table wechat_event, {}). Every push is answered 503 and "
                    + "readiness is DOWN until this is fixed; {}", DatabaseErrors.reason(e), where, hint());
        }
    }

    /**
     * Releases before hub.database.schema kept the tables in schema wechat_hub (the prod profile's
     * old URL said currentSchema=wechat_hub). An upgraded hub without the setting starts afresh in
     * the default schema, and the old inbox's waiting events would wait for ever, unnoticed.
     */
    private void warnOfAnEarlierInbox(String where) {
        if (location.isMySql() || location.schema().isPresent()) {
            return;
        }
        boolean earlier = !jdbc.queryForList("""
                SELECT 1 FROM information_schema.tables
                WHERE lower(table_schema) = 'wechat_hub' AND lower(table_name) = 'wechat_event'""").isEmpty();
        if (earlier && !where.startsWith("schema wechat_hub ")) {
            log.warn("An inbox of an earlier release is in schema wechat_hub of this database, but this hub records in {}."
                    + " To keep using it, set hub.database.schema=wechat_hub (README: Upgrading).", where);
        }
    }

    private void probe() {
        Timestamp now = new Timestamp(clock.millis());
        rollbackOnly.executeWithoutResult(status -> {
            status.setRollbackOnly();
            jdbc.update(PROBE, probeId, now, now);
        });
    }

    /** The schema (PostgreSQL, H2) or database (MySQL/MariaDB) the statements look in. */
    private String where() {
        try {
            return jdbc.execute((ConnectionCallback<String>) connection -> location.isMySql()
                    ? "database " + connection.getCatalog()
                    : "schema " + connection.getSchema() + " of database " + connection.getCatalog());
        } catch (DataAccessException e) {
            return "database unreachable";
        }
    }

    private String hint() {
        return location.isMySql()
                ? "the tables live in the database of spring.datasource.url, and its user needs INSERT, UPDATE, DELETE and SELECT there"
                : "the tables live in the schema hub.database.schema (default: the connection's default schema), "
                        + "and the user of spring.datasource.url needs INSERT, UPDATE, DELETE and SELECT there";
    }
}
