package com.wechathub.campaign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.wechat.Rejection;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A campaign's figures per day (docs/wechat.md, "The menu and scene-QR campaigns"), from the inbox: {@code scans} (SCAN of its code),
 * {@code follows} (subscribe through it), {@code newFollowers} (the OpenID had no earlier subscribe
 * to the account), {@code returning} (it had), {@code unfollowsWithin7Days} (of the day's follows,
 * those who unsubscribed within 7 days), and totals. Days are UTC days of WeChat's CreateTime.
 * The events are found by wechat_event_campaign (account, event, create_time); each follower's
 * history by wechat_event_follower (account, open_id, create_time): nothing scans the inbox.
 */
@Component("campaignFigures")
public class CampaignFigures {

    static final List<String> FIGURES = List.of("scans", "follows", "newFollowers", "returning", "unfollowsWithin7Days");
    static final int LONGEST_PERIOD_DAYS = 366;
    private static final long DAY = 86_400;
    private static final Set<String> PARAMETERS = Set.of("from", "to");

    private static final String SCANS = """
            SELECT create_time - MOD(create_time, 86400) AS utc_day, COUNT(*) AS scans
            FROM wechat_event
            WHERE account = ? AND event = 'SCAN' AND create_time >= ? AND create_time < ? AND event_key = ?
            GROUP BY create_time - MOD(create_time, 86400)""";

    private static final String FOLLOWS = """
            SELECT e.create_time - MOD(e.create_time, 86400) AS utc_day, COUNT(*) AS follows,
                   SUM(CASE WHEN EXISTS (SELECT 1 FROM wechat_event p
                                         WHERE p.account = e.account AND p.open_id = e.open_id
                                           AND p.create_time < e.create_time AND p.event = 'subscribe')
                            THEN 0 ELSE 1 END) AS new_followers,
                   SUM(CASE WHEN EXISTS (SELECT 1 FROM wechat_event u
                                         WHERE u.account = e.account AND u.open_id = e.open_id
                                           AND u.create_time >= e.create_time AND u.create_time <= e.create_time + 604800
                                           AND u.event = 'unsubscribe')
                            THEN 1 ELSE 0 END) AS unfollows
            FROM wechat_event e
            WHERE e.account = ? AND e.event = 'subscribe' AND e.create_time >= ? AND e.create_time < ? AND e.event_key = ?
            GROUP BY e.create_time - MOD(e.create_time, 86400)""";

    private final CampaignQrCodes campaigns;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Clock clock;

    CampaignFigures(CampaignQrCodes campaigns, JdbcTemplate jdbc, ObjectMapper json, Clock clock) {
        this.campaigns = campaigns;
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    /** A period's figures, one entry per day (every day, zeros included), and the totals. */
    public record Figures(LocalDate from, LocalDate to, Map<LocalDate, Map<String, Long>> days, Map<String, Long> totals) {
    }

    /**
     * GET /admin/accounts/{id}/campaigns/{scene}/figures[?from=YYYY-MM-DD][&to=YYYY-MM-DD] (UTC days,
     * both included; default: the 30 days up to today) → JSON, or CSV with {@code Accept: text/csv}.
     */
    public String figures(Exchange exchange) throws JsonProcessingException {
        String id = exchange.getMessage().getHeader("id", String.class);
        Campaign campaign = campaigns.campaign(exchange);
        Map<String, String> parameters = parameters(exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class));
        parameters.keySet().stream().filter(p -> !PARAMETERS.contains(p)).findFirst().ifPresent(p -> {
            throw Rejection.badRequest("unknown parameter " + p + "; this call takes from and to (YYYY-MM-DD)");
        });
        LocalDate to = date(parameters.get("to"), "to", LocalDate.now(clock.withZone(ZoneOffset.UTC)));
        LocalDate from = date(parameters.get("from"), "from", to.minusDays(29));
        if (from.isAfter(to)) {
            throw Rejection.badRequest("from is after to");
        }
        if (ChronoUnit.DAYS.between(from, to) >= LONGEST_PERIOD_DAYS) {
            throw Rejection.badRequest("at most " + LONGEST_PERIOD_DAYS + " days at a time");
        }
        Figures figures = of(id, campaign.scene(), from, to);
        String accept = exchange.getMessage().getHeader("Accept", "", String.class);
        if (accept.contains("text/csv")) {
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/csv;charset=UTF-8");
            return csv(figures);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("account", id);
        answer.put("scene", campaign.scene());
        answer.put("campaign", campaign.name());
        answer.put("from", from.toString());
        answer.put("to", to.toString());
        answer.put("days", figures.days().entrySet().stream().map(day -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("day", day.getKey().toString());
            row.putAll(day.getValue());
            return row;
        }).toList());
        answer.put("totals", figures.totals());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return json.writeValueAsString(answer);
    }

    /** The figures of the campaign with this scene, UTC days from and to included. */
    public Figures of(String account, String scene, LocalDate from, LocalDate to) {
        long start = from.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        long end = to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        Map<LocalDate, Map<String, Long>> days = new LinkedHashMap<>();
        for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
            Map<String, Long> zero = new LinkedHashMap<>();
            FIGURES.forEach(f -> zero.put(f, 0L));
            days.put(day, zero);
        }
        jdbc.query(SCANS, rs -> {
            days.get(day(rs.getLong("utc_day"))).put("scans", rs.getLong("scans"));
        }, account, start, end, scene);
        jdbc.query(FOLLOWS, rs -> {
            Map<String, Long> day = days.get(day(rs.getLong("utc_day")));
            long follows = rs.getLong("follows");
            long newFollowers = rs.getLong("new_followers");
            day.put("follows", follows);
            day.put("newFollowers", newFollowers);
            day.put("returning", follows - newFollowers);
            day.put("unfollowsWithin7Days", rs.getLong("unfollows"));
        }, account, start, end, "qrscene_" + scene);
        Map<String, Long> totals = new LinkedHashMap<>();
        FIGURES.forEach(f -> totals.put(f, days.values().stream().mapToLong(d -> d.get(f)).sum()));
        return new Figures(from, to, days, totals);
    }

    private static Map<String, String> parameters(String query) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
                if (parameters.put(name, value) != null) {
                    throw Rejection.badRequest(name + " is given twice");
                }
            }
        }
        return parameters;
    }

    private static LocalDate day(long epochSecond) {
        return LocalDate.ofEpochDay(Math.floorDiv(epochSecond, DAY));
    }

    private static LocalDate date(String value, String name, LocalDate otherwise) {
        if (value == null || value.isEmpty()) {
            return otherwise;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw Rejection.badRequest(name + " must be a date, YYYY-MM-DD");
        }
    }

    static String csv(Figures figures) {
        StringBuilder csv = new StringBuilder("day,").append(String.join(",", FIGURES)).append("\r\n");
        figures.days().forEach((day, values) -> csv.append(day).append(',').append(line(values)).append("\r\n"));
        return csv.append("total,").append(line(figures.totals())).append("\r\n").toString();
    }

    private static String line(Map<String, Long> values) {
        return String.join(",", FIGURES.stream().map(f -> String.valueOf(values.get(f))).toList());
    }
}
