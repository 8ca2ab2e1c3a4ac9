package com.wechathub.follower;

import com.wechathub.database.InboxLocation;
import com.wechathub.inbox.Inbox;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import com.wechathub.inbox.EventFields;
import org.apache.camel.Exchange;
import org.springframework.boot.jdbc.DatabaseDriver;
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
        boolean latest = apply(row, "subscription_time", List.of("subscribed", "subscribed_at", "scene"),
                true, eventTime(row), EventFields.scene(row));
        // The UnionID is the person's, whichever event is the latest: keep it once WeChat told it.
        Object unionid = FollowerDetails.of(exchange).get("unionid");
        if (unionid != null) {
            jdbc.update("UPDATE wechat_follower SET unionid = ? WHERE account = ? AND open_id = ?",
                    unionid, row.get("account"), row.get("open_id"));
        }
        return latest;
    }

    public boolean unsubscribed(Exchange exchange) {
        Map<String, Object> row = row(exchange);
        return apply(row, "subscription_time", List.of("subscribed", "unsubscribed_at"), false, eventTime(row));
    }

    public boolean scanned(Exchange exchange) {
        Map<String, Object> row = row(exchange);
        return apply(row, "scene_time", List.of("last_scene", "last_scene_at"), EventFields.scene(row), eventTime(row));
    }

    public boolean located(Exchange exchange) {
        Map<String, Object> row = row(exchange);
        Map<String, Object> fields = EventFields.of(row);
        return apply(row, "location_time", List.of("latitude", "longitude", precision, "located_at"),
                number(fields.get("Latitude")), number(fields.get("Longitude")), number(fields.get("Precision")),
                eventTime(row));
    }

    /**
     * Sets the columns of one aspect, and its time column to the event's CreateTime, unless the
     * stored aspect is newer; creates the row for a follower seen for the first time. On
     * PostgreSQL that is one upsert. Elsewhere: an UPDATE, and when it changed nothing an INSERT;
     * a refused INSERT means the row exists, with a newer aspect or written concurrently, and one
     * more UPDATE tells which.
     */
    private boolean apply(Map<String, Object> row, String timeColumn, List<String> columns, Object... values) {
        long createTime = ((Number) row.get("create_time")).longValue();
        List<String> set = new ArrayList<>(columns);
        set.addAll(List.of(timeColumn, "updated_at"));
        List<Object> setArgs = new ArrayList<>(Arrays.asList(values));
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
            String sql = "SELECT set_config('synchronous_commit', 'off', true); " + insert + " ON CONFLICT (account, open_id) DO UPDATE SET "
                    + set.stream().map(column -> column + " = EXCLUDED." + column).collect(Collectors.joining(", "))
                    + " WHERE wechat_follower." + timeColumn + " IS NULL OR wechat_follower." + timeColumn + " <= EXCLUDED." + timeColumn;
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
