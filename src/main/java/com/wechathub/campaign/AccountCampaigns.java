package com.wechathub.campaign;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.inbox.EventFields;
import com.wechathub.wechat.Rejection;
import com.wechathub.wechat.WechatProperties;
import com.wechathub.wechat.WechatProperties.Account;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the console's Campaigns tab shows (docs/operating.md): the accounts to pick from, and every
 * campaign of one account with its QR code, its totals and its last 7 days. The figures are
 * CampaignFigures' (the same definitions, UTC days of WeChat's CreateTime), read for all of the
 * account's campaigns in one statement instead of one per campaign.
 */
@Component("accountCampaigns")
public class AccountCampaigns {

    static final int RECENT_DAYS = 7;
    private static final long DAY = 86_400;
    private static final String FOLLOW_PREFIX = "qrscene_";

    /**
     * Per campaign code (event_key), event and day: how many, and of the follows how many were new and
     * how many unfollowed within 7 days — CampaignFigures' FOLLOWS and SCANS in one pass.
     */
    private static final String FIGURES = """
            SELECT e.event_key AS event_key, e.event AS event, e.create_time - MOD(e.create_time, 86400) AS utc_day, COUNT(*) AS n,
                   SUM(CASE WHEN e.event = 'subscribe' AND NOT EXISTS (SELECT 1 FROM wechat_event p
                                         WHERE p.account = e.account AND p.open_id = e.open_id
                                           AND p.create_time < e.create_time AND p.event = 'subscribe')
                            THEN 1 ELSE 0 END) AS new_followers,
                   SUM(CASE WHEN e.event = 'subscribe' AND EXISTS (SELECT 1 FROM wechat_event u
                                         WHERE u.account = e.account AND u.open_id = e.open_id
                                           AND u.create_time >= e.create_time AND u.create_time <= e.create_time + 604800
                                           AND u.event = 'unsubscribe')
                            THEN 1 ELSE 0 END) AS unfollows
            FROM wechat_event e
            WHERE e.account = ? AND e.event IN ('SCAN', 'subscribe') AND e.event_key IN (%s)
            GROUP BY e.event_key, e.event, e.create_time - MOD(e.create_time, 86400)""";

    private final WechatProperties accounts;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Clock clock;

    AccountCampaigns(WechatProperties accounts, JdbcTemplate jdbc, ObjectMapper json, Clock clock) {
        this.accounts = accounts;
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    /** GET /admin/accounts → [{id, campaigns, menu, callsApi}], by id. */
    public String accounts(Exchange exchange) throws JsonProcessingException {
        List<Map<String, Object>> answer = new ArrayList<>();
        new TreeMap<>(accounts.accounts()).forEach((id, account) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id);
            row.put("campaigns", account.campaigns().size());
            row.put("menu", account.menu() != null);
            row.put("callsApi", account.callsApi());
            answer.add(row);
        });
        return answerJson(exchange, answer);
    }

    /**
     * GET /admin/accounts/{id}/campaigns → {account, days: the last 7 UTC days, campaigns: [{scene,
     * name, kind, expiresSeconds, tags, qrCode: {ticket, url, expiresAt, expired, image} or null,
     * totals, last7Days: [{day, scans, follows, newFollowers, returning, unfollowsWithin7Days}]}]}.
     * Totals count every event through the campaign's code the inbox holds.
     */
    public String campaigns(Exchange exchange) throws JsonProcessingException {
        String id = exchange.getMessage().getHeader("id", String.class);
        Account account = accounts.account(id).orElseThrow(() -> new Rejection(404, "admin_not_found", "no such account"));
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate first = today.minusDays(RECENT_DAYS - 1);
        Map<String, Map<LocalDate, Map<String, Long>>> figures = figures(id, account.campaigns());
        Map<String, Map<String, Object>> codes = qrCodes(id);
        Instant now = clock.instant();

        List<Map<String, Object>> campaigns = new ArrayList<>();
        for (Campaign campaign : account.campaigns()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("scene", campaign.scene());
            row.put("name", campaign.name());
            row.put("kind", campaign.isPermanent() ? "permanent" : "temporary");
            row.put("expiresSeconds", campaign.isPermanent() ? null : campaign.expires().toSeconds());
            row.put("tags", campaign.tags());
            Map<String, Object> code = codes.get(campaign.scene());
            if (code != null) {
                Instant expiresAt = (Instant) code.remove("expiresAtInstant");
                code.put("expired", expiresAt != null && !expiresAt.isAfter(now));
                code.put("image", "/admin/accounts/" + encode(id) + "/campaigns/" + encode(campaign.scene()) + "/qrcode.png");
            }
            row.put("qrCode", code);
            Map<LocalDate, Map<String, Long>> days = figures.getOrDefault(campaign.scene(), Map.of());
            Map<String, Long> totals = zero();
            days.values().forEach(day -> CampaignFigures.FIGURES.forEach(f -> totals.merge(f, day.get(f), Long::sum)));
            row.put("totals", totals);
            List<Map<String, Object>> recent = new ArrayList<>();
            for (LocalDate day = first; !day.isAfter(today); day = day.plusDays(1)) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("day", day.toString());
                entry.putAll(days.getOrDefault(day, zero()));
                recent.add(entry);
            }
            row.put("last7Days", recent);
            campaigns.add(row);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("account", id);
        answer.put("from", first.toString());
        answer.put("to", today.toString());
        answer.put("campaigns", campaigns);
        return answerJson(exchange, answer);
    }

    /** scene → day → figures, for every campaign of the account, in one statement. */
    Map<String, Map<LocalDate, Map<String, Long>>> figures(String account, List<Campaign> campaigns) {
        Map<String, Map<LocalDate, Map<String, Long>>> figures = new HashMap<>();
        if (campaigns.isEmpty()) {
            return figures;
        }
        List<Object> arguments = new ArrayList<>();
        arguments.add(account);
        Set<String> scenes = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (Campaign campaign : campaigns) {
            scenes.add(campaign.scene());
            keys.add(campaign.scene());               // SCAN: EventKey is the scene
            keys.add(FOLLOW_PREFIX + campaign.scene()); // subscribe through the code: qrscene_<scene>
        }
        arguments.addAll(keys);
        String sql = FIGURES.formatted(String.join(", ", Collections.nCopies(keys.size(), "?")));
        jdbc.query(sql, rs -> {
            String key = rs.getString("event_key");
            boolean scan = "SCAN".equals(rs.getString("event"));
            // the IN list mixes both kinds of key: a SCAN counts only with a scene's own key, a follow only with qrscene_<scene>
            String scene = scan ? key : key.startsWith(FOLLOW_PREFIX) ? key.substring(FOLLOW_PREFIX.length()) : null;
            if (scene == null || !scenes.contains(scene)) {
                return;
            }
            Map<String, Long> day = figures.computeIfAbsent(scene, s -> new HashMap<>())
                    .computeIfAbsent(LocalDate.ofEpochDay(Math.floorDiv(rs.getLong("utc_day"), DAY)), d -> zero());
            if (scan) {
                day.put("scans", rs.getLong("n"));
            } else {
                long follows = rs.getLong("n");
                long newFollowers = rs.getLong("new_followers");
                day.put("follows", follows);
                day.put("newFollowers", newFollowers);
                day.put("returning", follows - newFollowers);
                day.put("unfollowsWithin7Days", rs.getLong("unfollows"));
            }
        }, arguments.toArray());
        return figures;
    }

    /** scene → the kept QR code of each campaign of the account that has one. */
    private Map<String, Map<String, Object>> qrCodes(String account) {
        Map<String, Map<String, Object>> codes = new HashMap<>();
        jdbc.query("SELECT scene, permanent, ticket, url, expires_at FROM wechat_campaign_qrcode WHERE account = ?", rs -> {
            Instant expiresAt = rs.getObject("expires_at") == null ? null : EventFields.instant(rs.getObject("expires_at"));
            Map<String, Object> code = new LinkedHashMap<>();
            code.put("permanent", rs.getBoolean("permanent"));
            code.put("ticket", rs.getString("ticket"));
            code.put("url", rs.getString("url"));
            code.put("expiresAt", expiresAt == null ? null : expiresAt.toString());
            code.put("expiresAtInstant", expiresAt);
            codes.put(rs.getString("scene"), code);
        }, account);
        return codes;
    }

    private static Map<String, Long> zero() {
        Map<String, Long> zero = new LinkedHashMap<>();
        CampaignFigures.FIGURES.forEach(f -> zero.put(f, 0L));
        return zero;
    }

    private String answerJson(Exchange exchange, Object value) throws JsonProcessingException {
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        return json.writeValueAsString(value);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
