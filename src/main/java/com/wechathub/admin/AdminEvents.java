package com.wechathub.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.inbox.Inbox;
import com.wechathub.wechat.Rejection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.stereotype.Component;

/** The operator API's answers: list inbox events by status, replay one. */
@Component("adminEvents")
public class AdminEvents {

    private static final Set<String> STATUSES = Set.of("pending", "claimed", "done", "dead");

    private final Inbox inbox;
    private final ObjectMapper json;

    public AdminEvents(Inbox inbox, ObjectMapper json) {
        this.inbox = inbox;
        this.json = json;
    }

    /** GET /admin/events[?status=dead][&limit=100] → a JSON array, newest first. */
    public String list(Exchange exchange) throws JsonProcessingException {
        Message in = exchange.getMessage();
        String status = in.getHeader("status", String.class);
        if (status != null && !STATUSES.contains(status)) {
            throw Rejection.badRequest("status must be one of " + STATUSES);
        }
        int limit;
        try {
            limit = Math.max(1, Math.min(1000, in.getHeader("limit", 100, Integer.class)));
        } catch (RuntimeException e) {
            throw Rejection.badRequest("limit must be a number");
        }
        in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        return json.writeValueAsString(inbox.list(status, limit).stream().map(AdminEvents::camelCase).toList());
    }

    /** Column names as JSON names: open_id → openId. */
    static Map<String, Object> camelCase(Map<String, Object> row) {
        Map<String, Object> out = new LinkedHashMap<>();
        row.forEach((column, value) -> out.put(JdbcUtils.convertUnderscoreNameToPropertyName(column), value));
        return out;
    }

    /** POST /admin/events/{id}/replay → 202 when the event is back to pending. */
    public String replay(Exchange exchange) throws JsonProcessingException {
        String id = exchange.getMessage().getHeader("id", String.class);
        if (!inbox.exists(id)) {
            throw new Rejection(404, "admin_not_found", "no such event");
        }
        if (!inbox.replay(id)) {
            throw new Rejection(409, "admin_conflict", "event is being processed right now; try again");
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        return json.writeValueAsString(Map.of("id", id, "status", "pending"));
    }
}
