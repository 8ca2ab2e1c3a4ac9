package com.wechathub.admin;

import com.wechathub.wechat.Rejection;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which inbox events an operator asks for: the query string of GET /admin/events and
 * POST /admin/events/replay, checked (a bad or unknown parameter is a 400 with a short reason)
 * and turned into a WHERE clause with JDBC parameters that runs on PostgreSQL, H2 and MySQL.
 *
 * <p>The query string is read as sent (CamelHttpQuery), not from the message headers: platform-http
 * puts the request's HTTP headers there too, and a request header must not act as a filter.
 *
 * @param event   an Event ({@code subscribe}, {@code CLICK}) or, for ordinary messages, which have
 *                none, {@code message:<MsgType>} — the labels of GET /admin/summary
 * @param from    received at or after (ISO-8601 instant)
 * @param to      received before (ISO-8601 instant)
 * @param before  the paging cursor: only events with a smaller seq (X-Next-Cursor of the previous page)
 */
record EventFilter(String status, String account, String event, String openId, Instant from, Instant to,
                   Long before, int limit) {

    static final List<String> STATUSES = List.of("pending", "claimed", "done", "dead");
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    static final String MESSAGE = "message:";

    private static final Set<String> PARAMETERS = Set.of("status", "account", "event", "openId", "from", "to", "before", "limit");

    static EventFilter parse(String query) {
        return parse(query, PARAMETERS);
    }

    /** Like {@link #parse(String)}, allowing only the given parameters (those that are no filter, the caller reads). */
    static EventFilter parse(String query, Set<String> allowed) {
        Map<String, String> params = parameters(query);
        for (String name : params.keySet()) {
            if (!allowed.contains(name)) {
                throw Rejection.badRequest("unknown parameter '" + name + "'; known: " + String.join(", ", sorted(allowed)));
            }
        }
        String status = text(params, "status", 16);
        if (status != null && !STATUSES.contains(status)) {
            throw Rejection.badRequest("status must be one of " + String.join(", ", STATUSES));
        }
        Instant from = instant(params, "from");
        Instant to = instant(params, "to");
        if (from != null && to != null && !from.isBefore(to)) {
            throw Rejection.badRequest("from must be before to");
        }
        Long before = number(params, "before", 1, Long.MAX_VALUE);
        Long limit = number(params, "limit", 1, MAX_LIMIT);
        return new EventFilter(status, text(params, "account", 64), text(params, "event", 64 + MESSAGE.length()),
                text(params, "openId", 128), from, to, before, limit == null ? DEFAULT_LIMIT : limit.intValue());
    }

    /** The conditions, with their JDBC parameters, joined by AND; "1 = 1" when there are none. */
    Where where() {
        List<String> conditions = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        if (status != null) {
            conditions.add("status = ?");
            args.add(status);
        }
        if (account != null) {
            conditions.add("account = ?");
            args.add(account);
        }
        if (event != null && event.startsWith(MESSAGE)) {
            conditions.add("event IS NULL AND msg_type = ?");
            args.add(event.substring(MESSAGE.length()));
        } else if (event != null) {
            conditions.add("event = ?");
            args.add(event);
        }
        if (openId != null) {
            conditions.add("open_id = ?");
            args.add(openId);
        }
        if (from != null) {
            conditions.add("received_at >= ?");
            args.add(Timestamp.from(from));
        }
        if (to != null) {
            conditions.add("received_at < ?");
            args.add(Timestamp.from(to));
        }
        if (before != null) {
            conditions.add("seq < ?");
            args.add(before);
        }
        return new Where(conditions.isEmpty() ? "1 = 1" : String.join(" AND ", conditions), args);
    }

    record Where(String sql, List<Object> args) {
    }

    static Map<String, String> parameters(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name;
            String value;
            try {
                name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw Rejection.badRequest("the query string is not URL-encoded properly");
            }
            if (params.put(name, value) != null) {
                throw Rejection.badRequest("parameter '" + name + "' is given twice");
            }
        }
        return params;
    }

    /** An empty value is no filter: a form sends its empty fields. */
    private static String text(Map<String, String> params, String name, int maxLength) {
        String value = params.get(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > maxLength) {
            throw Rejection.badRequest(name + " is longer than " + maxLength + " characters");
        }
        return value.trim();
    }

    private static Instant instant(Map<String, String> params, String name) {
        String value = text(params, name, 64);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw Rejection.badRequest(name + " must be an ISO-8601 instant, e.g. 2026-12-01T07:00:00Z");
        }
    }

    private static Long number(Map<String, String> params, String name, long min, long max) {
        String value = text(params, name, 19);
        if (value == null) {
            return null;
        }
        try {
            long number = Long.parseLong(value);
            if (number < min || number > max) {
                throw Rejection.badRequest(name + " must be between " + min + " and " + max);
            }
            return number;
        } catch (NumberFormatException e) {
            throw Rejection.badRequest(name + " must be a whole number");
        }
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }
}
