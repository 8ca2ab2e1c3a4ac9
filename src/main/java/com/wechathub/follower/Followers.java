package com.wechathub.follower;

import com.wechathub.database.InboxLocation;
import com.wechathub.inbox.Inbox;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import com.wechathub.inbox.EventFields;
import org.apache.camel.Exchange;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
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

    public Followers(JdbcTemplate jdbc, Clock clock, InboxLocation location) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.precision = location.quote("precision"); // a reserved word in MySQL
    }

    public boolean subscribed(Exchange exchange) {
        Map<String, Object> row = row(exchange);
        Timestamp at = eventTime(row);
        String scene = EventFields.scene(row);
        boolean latest = apply(row, "subscription_time",
                "subscribed = TRUE, subscribed_at = ?, scene = ?",
                "subscribed, subscribed_at, scene", new Object[] {true, at, scene}, at, scene);
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
        Timestamp at = eventTime(row);
        return apply(row, "subscription_time", "subscribed = FALSE, unsubscribed_at = ?",
                "subscribed, unsubscribed_at", new Object[] {false, at}, at);
    }

    public boolean scanned(Exchange exchange) {
        Map<String, Object> row = row(exchange);
        Timestamp at = eventTime(row);
        String scene = EventFields.scene(row);
        return apply(row, "scene_time", "last_scene = ?, last_scene_at = ?",
                "last_scene, last_scene_at", new Object[] {scene, at}, scene, at);
    }

    public boolean located(Exchange exchange) {
        Map<String, Object> row = row(exchange);
        Map<String, Object> fields = EventFields.of(row);
        Timestamp at = eventTime(row);
        Object[] values = {number(fields.get("Latitude")), number(fields.get("Longitude")), number(fields.get("Precision")), at};
        return apply(row, "location_time", "latitude = ?, longitude = ?, " + precision + " = ?, located_at = ?",
                "latitude, longitude, " + precision + ", located_at", values, values);
    }

    /**
     * UPDATE when the stored aspect is not newer; INSERT when there is no row yet. A refused INSERT
     * means a row appeared with a newer aspect (or concurrently): then the event is stale.
     */
    private boolean apply(Map<String, Object> row, String timeColumn, String set, String insertColumns,
                          Object[] insertValues, Object... setValues) {
        long createTime = ((Number) row.get("create_time")).longValue();
        Timestamp now = Timestamp.from(Instant.now(clock));
        Object[] updateArgs = concat(setValues, new Object[] {createTime, now, row.get("account"), row.get("open_id"), createTime});
        int updated = jdbc.update("UPDATE wechat_follower SET " + set + ", " + timeColumn + " = ?, updated_at = ?"
                + " WHERE account = ? AND open_id = ? AND (" + timeColumn + " IS NULL OR " + timeColumn + " <= ?)", updateArgs);
        if (updated == 1) {
            return true;
        }
        boolean exists = !jdbc.queryForList("SELECT 1 FROM wechat_follower WHERE account = ? AND open_id = ?",
                row.get("account"), row.get("open_id")).isEmpty();
        if (exists) {
            return false;
        }
        String placeholders = String.join(", ", Collections.nCopies(insertValues.length + 4, "?"));
        try {
            jdbc.update("INSERT INTO wechat_follower (account, open_id, " + insertColumns + ", " + timeColumn + ", updated_at)"
                    + " VALUES (" + placeholders + ")",
                    concat(new Object[] {row.get("account"), row.get("open_id")}, concat(insertValues, new Object[] {createTime, now})));
            return true;
        } catch (DuplicateKeyException e) {
            return apply(row, timeColumn, set, insertColumns, insertValues, setValues);
        }
    }

    private static Object[] concat(Object[] a, Object[] b) {
        Object[] all = new Object[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
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
