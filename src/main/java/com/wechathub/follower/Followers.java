package com.wechathub.follower;

import com.wechathub.database.DatabaseErrors;
import com.wechathub.database.InboxLocation;
import com.wechathub.inbox.EventFields;
import com.wechathub.inbox.Inbox;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementCallback;
import org.springframework.stereotype.Component;

/**
 * Follower state in wechat_follower. Each aspect (subscription, last scene, location) converges on
 * the event with the latest CreateTime, however events are retried, replayed or reordered: an
 * update only applies when the event is not older than the one that set the aspect. Each method
 * returns whether the event was the latest, so a route can skip a CRM call an older event would
 * make wrong.
 */
@Component("followers")
public class Followers {

    private static final Logger log = LoggerFactory.getLogger(Followers.class);

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final String precision;
    private final boolean upsert; // PostgreSQL: INSERT … ON CONFLICT DO UPDATE … WHERE

    public Followers(JdbcTemplate jdbc, Clock clock, InboxLocation location) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.precision = location.quote("precision"); // a reserved word in MySQL
        this.upsert = location.driver() == DatabaseDriver.POSTGRESQL;
    }

    public boolean subscribed(Exchange exchange) {
        Map<String, Object> row = row(exchange);
        boolean latest = applyOnce(row);
        // The UnionID is the person's, whichever event is the latest: keep it once WeChat told it.
        Object unionid = FollowerDetails.of(exchange).get("unionid");
        if (unionid != null) {
            jdbc.update("UPDATE wechat_follower SET unionid = ? WHERE account = ? AND open_id = ?",
                    unionid, row.get("account"), row.get("open_id"));
        }
        return latest;
    }

    public boolean unsubscribed(Exchange exchange) {
        return applyOnce(row(exchange));
    }

    public boolean scanned(Exchange exchange) {
        return applyOnce(row(exchange));
    }

    public boolean located(Exchange exchange) {
        return applyOnce(row(exchange));
    }

    /**
     * The follower state of a whole claimed batch, before its events run: on PostgreSQL one
     * multi-row upsert per aspect (subscription, scene, location) instead of one statement per
     * event. The batch holds at most one event per follower (the claim's rule), so no row is
     * written twice. Each event's own step ({@link #subscribed} and the others) then reads whether
     * its event was the latest instead of writing again. Where the batch could not be written (the
     * database failed the statement), or on MySQL/MariaDB and H2, nothing is noted and each event
     * writes its own state in its step, failing and retrying with its event.
     */
    public void recordBatch(List<Map<String, Object>> rows) {
        if (!upsert || rows == null || rows.size() < 2) {
            return;
        }
        Map<String, List<Map<String, Object>>> byAspect = new LinkedHashMap<>();
        Set<String> followers = new HashSet<>();
        for (Map<String, Object> row : rows) {
            Change change = change(row);
            if (change != null && followers.add(row.get("account") + "\n" + row.get("open_id"))) {
                byAspect.computeIfAbsent(change.timeColumn() + change.columns(), key -> new ArrayList<>()).add(row);
            }
        }
        for (List<Map<String, Object>> group : byAspect.values()) {
            try {
                upsertAll(group);
            } catch (DataAccessException e) {
                log.info("Could not write the follower state of {} events in one statement; each event writes its own: {}",
                        group.size(), DatabaseErrors.reason(e));
            } catch (RuntimeException e) { // never fail the batch: its events would wait for the lease
                log.warn("Could not write the follower state of {} events in one statement; each event writes its own", group.size(), e);
            }
        }
    }

    /** The latest-or-not noted for this row by {@link #recordBatch}, else its state written now. */
    private boolean applyOnce(Map<String, Object> row) {
        Object noted = row.get(LATEST);
        if (noted instanceof Boolean latest) {
            return latest;
        }
        Change change = change(row);
        if (change == null) {
            throw new IllegalArgumentException("event " + row.get("event") + " changes no follower state");
        }
        return apply(row, change);
    }

    // Where recordBatch notes an event's outcome, beside the row's columns (no column has this name).
    private static final String LATEST = "wechathub.follower-latest";

    /** The columns of one aspect an event sets, and their values; its time column is set to the event's CreateTime. */
    private record Change(String timeColumn, List<String> columns, List<Object> values) {
    }

    private Change change(Map<String, Object> row) {
        Object event = row.get("event");
        if (event == null) {
            return null;
        }
        return switch (event.toString()) {
            case "subscribe" -> new Change("subscription_time", List.of("subscribed", "subscribed_at", "scene"),
                    Arrays.asList(true, eventTime(row), EventFields.scene(row)));
            case "unsubscribe" -> new Change("subscription_time", List.of("subscribed", "unsubscribed_at"),
                    Arrays.asList(false, eventTime(row)));
            case "SCAN" -> new Change("scene_time", List.of("last_scene", "last_scene_at"),
                    Arrays.asList(EventFields.scene(row), eventTime(row)));
            case "LOCATION" -> {
                Map<String, Object> fields = EventFields.of(row);
                yield new Change("location_time", List.of("latitude", "longitude", precision, "located_at"),
                        Arrays.asList(number(fields.get("Latitude")), number(fields.get("Longitude")),
                                number(fields.get("Precision")), eventTime(row)));
            }
            default -> null;
        };
    }

    /**
     * One statement for events of one aspect, each of a different follower: every row inserted or
     * updated comes back (RETURNING), so an event whose follower did not come back was stale.
     */
    private void upsertAll(List<Map<String, Object>> rows) {
        Change first = change(rows.get(0));
        List<String> set = new ArrayList<>(first.columns());
        set.addAll(List.of(first.timeColumn(), "updated_at"));
        String tuple = "(" + String.join(", ", Collections.nCopies(set.size() + 2, "?")) + ")";
        Timestamp now = Timestamp.from(Instant.now(clock));
        List<Object> args = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            args.add(row.get("account"));
            args.add(row.get("open_id"));
            args.addAll(change(row).values());
            args.add(((Number) row.get("create_time")).longValue());
            args.add(now);
        }
        String sql = "SELECT set_config('synchronous_commit', 'off', true); "
                + "INSERT INTO wechat_follower (account, open_id, " + String.join(", ", set) + ") VALUES "
                + String.join(", ", Collections.nCopies(rows.size(), tuple))
                + upsertClause(set, first.timeColumn()) + " RETURNING account, open_id";
        Set<String> written = jdbc.execute(sql, (PreparedStatementCallback<Set<String>>) statement -> {
            new ArgumentPreparedStatementSetter(args.toArray()).setValues(statement);
            statement.execute();        // set_config's row,
            statement.getMoreResults(); // then the followers written
            Set<String> keys = new HashSet<>();
            try (ResultSet result = statement.getResultSet()) {
                while (result.next()) {
                    keys.add(result.getString(1) + "\n" + result.getString(2));
                }
            }
            return keys;
        });
        for (Map<String, Object> row : rows) {
            row.put(LATEST, written.contains(row.get("account") + "\n" + row.get("open_id")));
        }
    }

    private static String upsertClause(List<String> set, String timeColumn) {
        return " ON CONFLICT (account, open_id) DO UPDATE SET "
                + set.stream().map(column -> column + " = EXCLUDED." + column).collect(Collectors.joining(", "))
                + " WHERE wechat_follower." + timeColumn + " IS NULL OR wechat_follower." + timeColumn + " <= EXCLUDED." + timeColumn;
    }

    /**
     * Sets the columns of one aspect, and its time column to the event's CreateTime, unless the
     * stored aspect is newer; creates the row for a follower seen for the first time. On
     * PostgreSQL that is one upsert. Elsewhere: an UPDATE, and when it changed nothing an INSERT;
     * a refused INSERT means the row exists, with a newer aspect or written concurrently, and one
     * more UPDATE tells which.
     */
    private boolean apply(Map<String, Object> row, Change change) {
        String timeColumn = change.timeColumn();
        long createTime = ((Number) row.get("create_time")).longValue();
        List<String> set = new ArrayList<>(change.columns());
        set.addAll(List.of(timeColumn, "updated_at"));
        List<Object> setArgs = new ArrayList<>(change.values());
        setArgs.addAll(List.of(createTime, Timestamp.from(Instant.now(clock))));

        List<Object> insertArgs = new ArrayList<>(List.of(row.get("account"), row.get("open_id")));
        insertArgs.addAll(setArgs);
        String insert = "INSERT INTO wechat_follower (account, open_id, " + String.join(", ", set) + ")"
                + " VALUES (" + String.join(", ", Collections.nCopies(insertArgs.size(), "?")) + ")";
        if (upsert) {
            // Sent together (one round trip, one transaction): the commit does not wait for the log
            // flush. The event is marked done later by a commit that waits, and PostgreSQL flushes
            // its log in order, so that commit makes this one durable too; should the database
            // itself lose it before then, the event, still claimed, is dispatched again.
            String sql = "SELECT set_config('synchronous_commit', 'off', true); " + insert + upsertClause(set, timeColumn);
            return Boolean.TRUE.equals(jdbc.execute(sql, (PreparedStatementCallback<Boolean>) statement -> {
                new ArgumentPreparedStatementSetter(insertArgs.toArray()).setValues(statement);
                statement.execute();        // first set_config's row,
                statement.getMoreResults(); // then the upsert's row count
                return statement.getUpdateCount() == 1;
            }));
        }
        String update = "UPDATE wechat_follower SET " + String.join(" = ?, ", set) + " = ?"
                + " WHERE account = ? AND open_id = ? AND (" + timeColumn + " IS NULL OR " + timeColumn + " <= ?)";
        List<Object> updateArgs = new ArrayList<>(setArgs);
        updateArgs.addAll(List.of(row.get("account"), row.get("open_id"), createTime));
        if (jdbc.update(update, updateArgs.toArray()) == 1) {
            return true;
        }
        try {
            jdbc.update(insert, insertArgs.toArray());
            return true;
        } catch (DuplicateKeyException e) {
            return jdbc.update(update, updateArgs.toArray()) == 1; // 0: the stored aspect is newer, this event is stale
        }
    }

    private static Double number(Object value) {
        return value == null ? null : Double.valueOf(value.toString());
    }

    private static Timestamp eventTime(Map<String, Object> row) {
        return new Timestamp(((Number) row.get("create_time")).longValue() * 1000);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> row(Exchange exchange) {
        return exchange.getProperty(Inbox.ROW, Map.class);
    }
}
