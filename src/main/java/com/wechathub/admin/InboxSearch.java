package com.wechathub.admin;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the operator API and the console read from the inbox. Every list is paged in the database:
 * newest first by seq, a page is LIMIT n, the next page starts below the last seq seen (keyset
 * paging, so page 1,000 costs what page 1 does). Plain SQL with JDBC parameters: PostgreSQL, H2
 * and MySQL/MariaDB alike.
 */
@Component
class InboxSearch {

    /** The columns of a list row; one event (GET /admin/events/{id}) has every column. */
    static final String LIST_COLUMNS = """
            seq, id, account, open_id, msg_type, event, event_key, create_time, status, attempts,
            next_attempt_at, last_error, received_at, done_at, reply_status, reply_error""";

    private final JdbcTemplate jdbc;
    private final Clock clock;

    InboxSearch(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** One page: up to limit rows, newest first, and the cursor of the next page (null on the last). */
    record Page(List<Map<String, Object>> rows, Long next) {
    }

    Page events(EventFilter filter) {
        EventFilter.Where where = filter.where();
        List<Object> args = new ArrayList<>(where.args());
        args.add(filter.limit() + 1); // one more tells whether there is a next page
        List<Map<String, Object>> rows = new ArrayList<>(jdbc.queryForList(listSql(where), args.toArray()));
        Long next = null;
        if (rows.size() > filter.limit()) {
            rows.remove(rows.size() - 1);
            next = ((Number) rows.get(rows.size() - 1).get("seq")).longValue();
        }
        return new Page(rows, next);
    }

    /** A page of the list: the filter's conditions, then LIMIT ? (its last parameter). */
    static String listSql(EventFilter.Where where) {
        return "SELECT " + LIST_COLUMNS + " FROM wechat_event WHERE " + where.sql() + " ORDER BY seq DESC LIMIT ?";
    }

    /** Every column of the event's row, as the table has them (columns added later show up too). */
    Map<String, Object> event(String id) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM wechat_event WHERE id = ?", id);
        return rows.isEmpty() ? null : rows.get(0);
    }

    Map<String, Object> follower(String account, String openId) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM wechat_follower WHERE account = ? AND open_id = ?", account, openId);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** The follower's latest events (the follower index (account, open_id, …) finds them). */
    List<Map<String, Object>> followerEvents(String account, String openId, int limit) {
        return jdbc.queryForList("SELECT " + LIST_COLUMNS + " FROM wechat_event WHERE account = ? AND open_id = ? ORDER BY seq DESC LIMIT ?",
                account, openId, limit);
    }

    int countDead(EventFilter filter) {
        EventFilter.Where where = filter.where();
        Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM wechat_event WHERE status = 'dead' AND " + where.sql(),
                Integer.class, where.args().toArray());
        return count == null ? 0 : count;
    }

    /**
     * The latest {@code limit} rows of the event's history — each attempt and each replay — oldest
     * first (the index (event_id, seq) finds them).
     */
    List<Map<String, Object>> history(String id, int limit) {
        List<Map<String, Object>> rows = new ArrayList<>(jdbc.queryForList("""
                SELECT attempt, outcome, started_at, ended_at, error, node, replayed_by, forced, bulk
                FROM wechat_event_history WHERE event_id = ? ORDER BY seq DESC LIMIT ?""", id, limit));
        Collections.reverse(rows);
        return rows;
    }

    /**
     * The inbox at a glance: events by status and event type (one pass over the table), the
     * backlog, and how long the oldest waiting event has waited (by seq, read off the (status, seq)
     * index: the first row of each waiting status).
     */
    Map<String, Object> summary() {
        Map<String, Long> byStatus = new LinkedHashMap<>();
        EventFilter.STATUSES.forEach(status -> byStatus.put(status, 0L));
        Map<String, Map<String, Long>> byEvent = new LinkedHashMap<>();
        long total = 0;
        for (Map<String, Object> row : jdbc.queryForList("""
                SELECT status, event, msg_type, COUNT(*) AS n FROM wechat_event GROUP BY status, event, msg_type
                ORDER BY event, msg_type, status""")) {
            String status = (String) row.get("status");
            long n = ((Number) row.get("n")).longValue();
            total += n;
            byStatus.merge(status, n, Long::sum);
            Object event = row.get("event");
            String label = event != null ? event.toString() : EventFilter.MESSAGE + row.get("msg_type");
            byEvent.computeIfAbsent(label, l -> new LinkedHashMap<>()).merge(status, n, Long::sum);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("total", total);
        summary.put("byStatus", byStatus);
        summary.put("byEvent", byEvent);
        summary.put("dead", byStatus.get("dead"));
        summary.put("backlog", byStatus.get("pending") + byStatus.get("claimed"));
        Timestamp oldest = oldestWaiting();
        summary.put("oldestWaitingReceivedAt", oldest == null ? null : oldest.toInstant().toString());
        summary.put("oldestWaitingSeconds", oldest == null ? null
                : Math.max(0, Duration.between(oldest.toInstant(), clock.instant()).toSeconds()));
        summary.put("at", clock.instant().toString());
        return summary;
    }

    /** Events waiting to be dispatched (pending or claimed): the dispatcher's backlog. */
    long backlog() {
        Long count = jdbc.queryForObject("SELECT COUNT(*) FROM wechat_event WHERE status IN ('pending', 'claimed')", Long.class);
        return count == null ? 0 : count;
    }

    private Timestamp oldestWaiting() {
        Timestamp oldest = null;
        for (String status : List.of("pending", "claimed")) {
            List<Timestamp> first = jdbc.queryForList(
                    "SELECT received_at FROM wechat_event WHERE status = ? ORDER BY seq LIMIT 1", Timestamp.class, status);
            if (!first.isEmpty() && first.get(0) != null && (oldest == null || first.get(0).before(oldest))) {
                oldest = first.get(0);
            }
        }
        return oldest;
    }
}
