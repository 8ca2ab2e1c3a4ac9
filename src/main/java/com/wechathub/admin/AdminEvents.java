package com.wechathub.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.inbox.Inbox;
import com.wechathub.wechat.Rejection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.stereotype.Component;

/**
 * The operator API's answers about inbox events: list them (filtered, paged), show one with its
 * follower, replay one, replay every dead one matching a filter, and the inbox at a glance.
 */
@Component("adminEvents")
public class AdminEvents {

    /** The follower's other events shown with one event. */
    static final int FOLLOWER_EVENTS = 50;

    /** The latest rows of an event's history shown with it (one per attempt and per replay). */
    static final int HISTORY_ROWS = 1000;

    private static final Set<String> REPLAY_PARAMETERS = Set.of("status", "account", "event", "openId", "from", "to", "dryRun");

    private final Inbox inbox;
    private final InboxSearch search;
    private final LiveFigures figures;
    private final ObjectMapper json;

    public AdminEvents(Inbox inbox, InboxSearch search, LiveFigures figures, ObjectMapper json) {
        this.inbox = inbox;
        this.search = search;
        this.figures = figures;
        this.json = json;
    }

    /**
     * GET /admin/events[?status=dead][&account=…][&event=…][&openId=…][&from=…][&to=…][&limit=100][&before=…]
     * → a JSON array, newest first. When there are more, X-Next-Cursor holds the seq to pass as
     * before= for the next page, and Link the whole next URL (rel="next").
     */
    public String list(Exchange exchange) throws JsonProcessingException {
        String query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        EventFilter filter = EventFilter.parse(query);
        InboxSearch.Page page = search.events(filter);
        if (page.next() != null) {
            Map<String, Object> headers = new LinkedHashMap<>();
            headers.put("X-Next-Cursor", String.valueOf(page.next()));
            headers.put("Link", "</admin/events?" + withCursor(query, page.next()) + ">; rel=\"next\"");
            exchange.setProperty(AdminAnswers.HEADERS, headers);
        }
        return answerJson(exchange, page.rows().stream().map(AdminEvents::camelCase).toList());
    }

    /**
     * GET /admin/events/{id} → {event: every column, history: its attempts and replays, oldest
     * first, follower: its row or null, followerEvents: its latest events}.
     */
    public String event(Exchange exchange) throws JsonProcessingException {
        String id = exchange.getMessage().getHeader("id", String.class);
        Map<String, Object> event = id == null ? null : search.event(id);
        if (event == null) {
            throw new Rejection(404, "admin_not_found", "no such event");
        }
        String account = (String) event.get("account");
        String openId = (String) event.get("open_id");
        Map<String, Object> follower = search.follower(account, openId);
        List<Map<String, Object>> others = search.followerEvents(account, openId, FOLLOWER_EVENTS + 1).stream()
                .filter(row -> !id.equals(row.get("id"))).limit(FOLLOWER_EVENTS).map(AdminEvents::camelCase).toList();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("event", camelCase(event));
        answer.put("history", search.history(id, HISTORY_ROWS).stream().map(AdminEvents::camelCase).toList());
        answer.put("follower", follower == null ? null : camelCase(follower));
        answer.put("followerEvents", others);
        return answerJson(exchange, answer);
    }

    /**
     * POST /admin/events/{id}/replay[?force=true] → 202 when the event is back to pending. A done
     * event went through already — the CRM got its calls, the broker its message — so replaying it
     * makes them again: it takes force=true, else 409 (also when it was done while this call was
     * on its way: the replay checks the status as it changes it). 409 too while a node dispatches it.
     */
    public String replay(Exchange exchange) throws JsonProcessingException {
        String id = exchange.getMessage().getHeader("id", String.class);
        Map<String, String> parameters = EventFilter.parameters(exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class));
        parameters.keySet().stream().filter(p -> !p.equals("force")).findFirst().ifPresent(p -> {
            throw Rejection.badRequest("unknown parameter '" + p + "'; this call takes force=true");
        });
        String force = parameters.getOrDefault("force", "false");
        if (!force.equals("true") && !force.equals("false")) {
            throw Rejection.badRequest("force must be true or false");
        }
        switch (inbox.replay(id, force.equals("true"), AdminAuth.client(exchange))) {
            case NOT_FOUND -> throw new Rejection(404, "admin_not_found", "no such event");
            case DONE -> throw new Rejection(409, "admin_conflict",
                    "event is done: a replay sends its CRM calls and broker message again; add ?force=true to replay it anyway");
            case CLAIMED -> throw new Rejection(409, "admin_conflict", "event is being processed right now; try again");
            case REPLAYED -> exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        }
        return answerJson(exchange, Map.of("id", id, "status", "pending"));
    }

    /**
     * POST /admin/events/replay[?account=…&event=…&openId=…&from=…&to=…] puts every dead event
     * matching the filter back to pending (202, {"replayed": n}), as a replay of each would; with
     * dryRun=true it only counts them (200, {"matching": n}), which is what the console's
     * confirmation shows.
     */
    public String replayMatching(Exchange exchange) throws JsonProcessingException {
        String query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        EventFilter filter = EventFilter.parse(query, REPLAY_PARAMETERS);
        if (filter.status() != null && !filter.status().equals("dead")) {
            throw Rejection.badRequest("only dead events are replayed in bulk; leave status out or set it to dead");
        }
        String dryRun = EventFilter.parameters(query).get("dryRun");
        if (dryRun != null && !Set.of("true", "false").contains(dryRun)) {
            throw Rejection.badRequest("dryRun must be true or false");
        }
        if ("true".equals(dryRun)) {
            return answerJson(exchange, Map.of("matching", search.countDead(filter)));
        }
        EventFilter.Where where = filter.where();
        int replayed = inbox.replayDead(where.sql(), where.args(), AdminAuth.client(exchange));
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        return answerJson(exchange, Map.of("replayed", replayed));
    }

    /** GET /admin/summary → events by status and by event type, the backlog, the oldest waiting event's age. */
    public String summary(Exchange exchange) throws JsonProcessingException {
        noParameters(exchange);
        return answerJson(exchange, search.summary());
    }

    /** GET /admin/figures → pushes and done events per second, answer p99, backlog. */
    public String figures(Exchange exchange) throws JsonProcessingException {
        noParameters(exchange);
        Map<String, Object> answer = new LinkedHashMap<>(figures.figures());
        answer.put("backlog", search.backlog());
        return answerJson(exchange, answer);
    }

    /** GET /admin/figures/last-hour → the live figures of the last hour on this node, a point every 10 s. */
    public String lastHour(Exchange exchange) throws JsonProcessingException {
        noParameters(exchange);
        return answerJson(exchange, figures.lastHour());
    }

    private static void noParameters(Exchange exchange) {
        String query = exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class);
        if (query != null && !query.isEmpty()) {
            throw Rejection.badRequest("this call takes no parameters");
        }
    }

    private String answerJson(Exchange exchange, Object value) throws JsonProcessingException {
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return json.writeValueAsString(value);
    }

    /** The same query with before= set to the cursor (any earlier before= dropped). */
    static String withCursor(String query, long cursor) {
        StringBuilder next = new StringBuilder();
        EventFilter.parameters(query).forEach((name, value) -> {
            if (!name.equals("before")) {
                next.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(value, StandardCharsets.UTF_8)).append('&');
            }
        });
        return next.append("before=").append(cursor).toString();
    }

    /** Column names as JSON names: open_id → openId. */
    static Map<String, Object> camelCase(Map<String, Object> row) {
        Map<String, Object> out = new LinkedHashMap<>();
        row.forEach((column, value) -> out.put(JdbcUtils.convertUnderscoreNameToPropertyName(column), value));
        return out;
    }
}
