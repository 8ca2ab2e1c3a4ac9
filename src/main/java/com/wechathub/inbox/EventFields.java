package com.wechathub.inbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the fields of a recorded event (the inbox's JSON column) by WeChat's field names. */
public final class EventFields {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() { };

    // Where of() keeps what it read, beside the row's columns (no column has this name).
    private static final String PARSED = "wechathub.parsed-fields";

    private EventFields() {
    }

    /** The row's fields, read once per row: the follower update, the CRM body and the broker message each ask. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> of(Map<String, Object> row) {
        return (Map<String, Object>) row.computeIfAbsent(PARSED, key -> {
            try {
                return Collections.unmodifiableMap(JSON.readValue((String) row.get("fields"), MAP));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("inbox row " + row.get("id") + " has unreadable fields", e);
            }
        });
    }

    /**
     * A timestamp column as an Instant: PostgreSQL's and MariaDB's drivers give Timestamp, H2's
     * OffsetDateTime, MySQL's LocalDateTime (a DATETIME, written in the JVM's time zone).
     */
    public static Instant instant(Object column) {
        if (column instanceof LocalDateTime local) {
            return local.atZone(ZoneId.systemDefault()).toInstant();
        }
        if (column instanceof java.sql.Timestamp timestamp) {
            return timestamp.toInstant();
        }
        if (column instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        throw new IllegalArgumentException("not a timestamp: " + column);
    }

    /**
     * The scene QR code behind an event: a follow through one carries EventKey "qrscene_&lt;scene&gt;",
     * a scan by an existing follower the bare scene.
     */
    public static String scene(Map<String, Object> row) {
        Object key = of(row).get("EventKey");
        if (key == null || key.toString().isEmpty()) {
            return null;
        }
        String eventKey = key.toString();
        if ("subscribe".equals(row.get("event"))) {
            return eventKey.startsWith("qrscene_") ? eventKey.substring("qrscene_".length()) : null;
        }
        return eventKey;
    }
}
