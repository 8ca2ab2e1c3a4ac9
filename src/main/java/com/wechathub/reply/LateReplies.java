package com.wechathub.reply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.node.NodeIdentity;
import com.wechathub.wechat.WechatProperties;
import com.wechathub.wechat.WechatProperties.MenuReply;
import com.wechathub.wechat.api.WechatApi;
import com.wechathub.wechat.api.WechatApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Late replies (docs/wechat.md): a {@code crm:} reply not ready by the deadline is sent as one
 * customer-service message once the CRM answers. Its state lives in the event's row
 * (reply_status, reply_error, reply_due_at, reply_claimed_by/at, reply_message, reply_done_at), so
 * it shows with the event and survives the node:
 * <ul>
 * <li>{@code waiting}: taken by one node with a conditional UPDATE (a retried push or a twin on
 *     another node finds it taken and answers "success"); that node shows "typing" and waits
 *     for the CRM, renewing its claim every poll while a thread works on it;</li>
 * <li>a node that stops renewing (it died) loses the claim after hub.reply.lease: another node
 *     takes it over and asks the CRM again (same Idempotency-Key);</li>
 * <li>{@code sending} is taken, again conditionally, just before custom/send: only one node ever
 *     sends. A node that died while sending leaves it {@code failed}, since nobody can know
 *     whether WeChat delivered it — a second message would be worse than none;</li>
 * <li>{@code sent}, {@code none} (the CRM answered 204; "typing" is cancelled), {@code expired}
 *     (the window — hub.reply.max-wait from the follower's action, WeChat's CreateTime — closes
 *     before the message could arrive: no call at all), or {@code failed}: refused by WeChat
 *     (45015 out of the window, 45047 over the quota, 43004 no longer following, …), the CRM
 *     failed. Final: nothing is retried forever. Each outcome is counted; a reply that could be
 *     neither queued nor recorded is retried, or logged and counted as {@code lost}.</li>
 * <li>{@code passive}: the CRM answered in time and the reply went back with the push; recorded
 *     before it is answered, so no late path sends it too, and WeChat's retry gets the same reply.</li>
 * </ul>
 * Claims and leases are stamped with the database's clock, not the nodes' (theirs differ), and
 * only the node holding the claim marks a reply {@code sent}.
 */
@Component("lateReplies")
public class LateReplies implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(LateReplies.class);
    /** A reply due sooner than this is not sent: it would reach WeChat after the window closed. */
    private static final Duration SEND_TIME = Duration.ofSeconds(2);

    private final JdbcTemplate jdbc;
    private final WechatApi api;
    private final ReplyFromCrm crm;
    private final WechatProperties accounts;
    private final ReplyProperties properties;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final Clock clock;
    private final ExecutorService threads;
    private final String node;
    private final Set<String> working = ConcurrentHashMap.newKeySet();
    private final NamedParameterJdbcTemplate named;

    LateReplies(JdbcTemplate jdbc, WechatApi api, ReplyFromCrm crm, WechatProperties accounts, ReplyProperties properties,
                ObjectMapper json, MeterRegistry registry, Clock clock, NodeIdentity node) {
        this.jdbc = jdbc;
        this.node = node.id();
        this.named = new NamedParameterJdbcTemplate(jdbc);
        this.api = api;
        this.crm = crm;
        this.accounts = accounts;
        this.properties = properties;
        this.json = json;
        this.registry = registry;
        this.clock = clock;
        this.threads = ReplyFromCrm.threads("late-reply-", properties.maxLate());
    }

    /** Where the event's reply is: empty while nobody answered or took it, else its reply_status. */
    Optional<String> status(String eventId) {
        return jdbc.queryForList("SELECT reply_status FROM wechat_event WHERE id = ? AND reply_status IS NOT NULL",
                String.class, eventId).stream().findFirst();
    }

    /**
     * The CRM's reply came in time and is about to be the passive answer: recorded with the event
     * ({@code passive}), unless the late path (this push's twin, another node) took it first. Only
     * one of the two ever reaches the follower.
     */
    boolean recordPassive(String eventId, CrmReply reply) {
        return jdbc.update("UPDATE wechat_event SET reply_status = 'passive', reply_message = ?, reply_done_at = ? WHERE id = ? AND reply_status IS NULL",
                json(reply), dbNow(), eventId) == 1;
    }

    /** The passive reply recorded for the event, for WeChat's retry of the same push. */
    Optional<CrmReply> passiveReply(String eventId) {
        return jdbc.queryForList("SELECT reply_message FROM wechat_event WHERE id = ? AND reply_status = 'passive'", String.class, eventId)
                .stream().findFirst().map(message -> {
                    try {
                        return json.readValue(message, CrmReply.class);
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException("event " + eventId + ": the recorded reply is not readable", e);
                    }
                });
    }

    /**
     * The push's deadline passed with the CRM still working: take the reply over, unless another
     * request for the same event (WeChat's retry, a twin on another node) already did.
     */
    void takeOver(String account, String eventId, String openId, CompletableFuture<Optional<CrmReply>> reply, Instant actedAt) {
        if (!api.enabled(account)) {
            reply.cancel(true);
            failNow(account, eventId, "the reply was not ready by hub.reply.deadline and account " + account
                    + " has no app-secret to send it later");
            return;
        }
        // WeChat's window opens with the follower's action (CreateTime), not when the push reached us.
        Timestamp dueAt = Timestamp.from(actedAt.plus(properties.maxWait()));
        try {
            if (!claim(eventId, dueAt)) {
                return;
            }
        } catch (DataAccessException e) {
            // The database is failing right now: keep trying to record the reply on the late pool, up to its window.
            log.warn("Event {}: could not record the late reply yet ({}); trying again", eventId, e.getClass().getSimpleName());
            boolean queued = submit(account, eventId, reply, () -> {
                while (true) {
                    try {
                        if (claim(eventId, dueAt)) {
                            deliverNow(account, eventId, openId, reply, dueAt.toInstant(), true);
                        }
                        return;
                    } catch (DataAccessException again) {
                        if (clock.instant().isAfter(dueAt.toInstant())) {
                            reply.cancel(true);
                            lost(account, eventId, "the database could not record it within its window: " + again.getClass().getSimpleName());
                            return;
                        }
                        pause(500);
                    }
                }
            });
            if (!queued) { // neither recorded nor queued: say so on the event if the database takes it now, else loudly
                try {
                    failNow(account, eventId, "too many late replies at once on this node, and the database could not record this one: "
                            + e.getClass().getSimpleName());
                } catch (DataAccessException again) {
                    lost(account, eventId, "too many late replies at once on this node, and the database could not record it: "
                            + again.getClass().getSimpleName());
                }
            }
            return;
        }
        log.info("Event {}: the CRM's reply was not ready by the deadline; answered success, sending it later", eventId);
        deliver(account, eventId, openId, reply, dueAt.toInstant(), true);
    }

    private boolean claim(String eventId, Timestamp dueAt) {
        int taken = jdbc.update("""
                UPDATE wechat_event SET reply_status = 'waiting', reply_claimed_by = ?, reply_claimed_at = ?, reply_due_at = ?,
                                        reply_error = NULL
                WHERE id = ? AND reply_status IS NULL""", node, dbNow(), dueAt, eventId);
        if (taken == 0) {
            log.debug("The reply of event {} is already taken (passive, or by the late path)", eventId);
        }
        return taken == 1;
    }

    /** The CRM's reply failed before the deadline: the push is answered "success", the event says why. */
    void failNow(String account, String eventId, String error) {
        int marked = jdbc.update("UPDATE wechat_event SET reply_status = 'failed', reply_error = ?, reply_done_at = ? WHERE id = ? AND reply_status IS NULL",
                shorten(error), dbNow(), eventId);
        if (marked == 1) {
            log.warn("Event {}: no reply for the follower: {}", eventId, error);
            counted(account, "failed");
        }
    }

    private void deliver(String account, String eventId, String openId, CompletableFuture<Optional<CrmReply>> reply,
                         Instant dueAt, boolean showTyping) {
        if (!submit(account, eventId, reply, () -> deliverNow(account, eventId, openId, reply, dueAt, showTyping))) {
            try {
                fail(account, eventId, "too many late replies at once on this node");
            } catch (DataAccessException e) {
                // not even marked: the claim lapses (it is not renewed) and a node's poll takes it over
                log.warn("Event {}: could not queue the late reply nor mark it failed; its claim lapses and it is taken over", eventId);
            }
        }
    }

    /** Runs a late reply's work on this node's late-reply threads; false (and the CRM's request cancelled) when they are all busy. */
    private boolean submit(String account, String eventId, CompletableFuture<Optional<CrmReply>> reply, Runnable work) {
        working.add(eventId);
        try {
            threads.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) { // the database, most likely: the claim lapses and another node (or this one) takes it over
                    log.warn("Event {}: could not deliver the late reply yet: {}", eventId, e.toString());
                } finally {
                    working.remove(eventId);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            working.remove(eventId);
            reply.cancel(true);
            return false;
        }
    }

    /** A late reply that could be neither sent nor recorded as failed: said loudly and counted, never silently gone. */
    private void lost(String account, String eventId, String why) {
        log.error("Event {}: the late reply is lost: {}", eventId, why);
        counted(account, "lost");
    }

    private void deliverNow(String account, String eventId, String openId, CompletableFuture<Optional<CrmReply>> reply,
                            Instant dueAt, boolean showTyping) {
        if (expired(account, eventId, dueAt)) {
            reply.cancel(true);
            return;
        }
        if (showTyping) {
            try {
                api.typing(account, openId); // WeChat shows it up to 15 s, or until the message
            } catch (WechatApiException e) {
                log.info("Event {}: WeChat did not show 'typing': {}", eventId, e.getMessage());
            }
        }
        Optional<CrmReply> answer;
        try {
            // how long is left is measured on the database's clock, like expired(): this node's may be off
            answer = reply.get(Math.max(0, dueAt.toEpochMilli() - dbNow().getTime()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            reply.cancel(true);
            fail(account, eventId, "too late: the CRM's reply was not ready within hub.reply.max-wait ("
                    + properties.maxWait().toSeconds() + " s), WeChat's window for a reply");
            return;
        } catch (ExecutionException e) {
            fail(account, eventId, "the CRM's reply failed: " + e.getCause().getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // shutting down: the claim lapses and another node takes it over
        }
        if (answer.isEmpty()) {
            if (showTyping) {
                cancelTyping(account, eventId, openId); // nothing is coming: do not leave "typing" on the follower's screen
            }
            if (jdbc.update("UPDATE wechat_event SET reply_status = 'none', reply_done_at = ? WHERE id = ? AND reply_status = 'waiting' AND reply_claimed_by = ?",
                    dbNow(), eventId, node) == 1) {
                counted(account, "none");
            }
            return;
        }
        if (expired(account, eventId, dueAt)) {
            return;
        }
        Map<String, Object> message = answer.get().customMessage(openId);
        // Only the node that holds the claim sends, once: past this UPDATE nobody sends it again.
        if (jdbc.update("UPDATE wechat_event SET reply_status = 'sending', reply_message = ?, reply_claimed_at = ? WHERE id = ? AND reply_status = 'waiting' AND reply_claimed_by = ?",
                json(message), dbNow(), eventId, node) == 0) {
            log.info("Event {}: another node took the late reply over; not sending it here", eventId);
            return;
        }
        try {
            api.sendMessage(account, message);
        } catch (WechatApiException e) {
            fail(account, eventId, describe(e));
            return;
        }
        counted(account, "sent");
        log.info("Event {}: late reply sent to the follower", eventId);
        for (int attempt = 1; ; attempt++) {
            try {
                // only while this node still holds it as 'sending': a node that declared it stranded has settled it
                jdbc.update("UPDATE wechat_event SET reply_status = 'sent', reply_done_at = ?, reply_error = NULL WHERE id = ? AND reply_claimed_by = ? AND reply_status = 'sending'",
                        dbNow(), eventId, node);
                return;
            } catch (DataAccessException e) {
                if (attempt == 5) {
                    throw e; // the claim lapses: it is marked failed as "not known whether delivered", never sent twice
                }
                pause(200L * attempt);
            }
        }
    }

    /** A reply that could no longer reach WeChat within its window is marked expired, without a call. */
    private boolean expired(String account, String eventId, Instant dueAt) {
        Timestamp now = dbNow();
        if (!now.toInstant().plus(SEND_TIME).isAfter(dueAt)) {
            return false;
        }
        if (jdbc.update("""
                UPDATE wechat_event SET reply_status = 'expired', reply_done_at = ?,
                       reply_error = 'too late: WeChat''s window for this reply (hub.reply.max-wait after the follower''s action) has passed'
                WHERE id = ? AND reply_status = 'waiting' AND reply_claimed_by = ?""", now, eventId, node) == 1) {
            counted(account, "expired");
            log.warn("Event {}: the late reply could not reach WeChat within its window; not sent", eventId);
        }
        return true;
    }

    private void cancelTyping(String account, String eventId, String openId) {
        try {
            api.cancelTyping(account, openId);
        } catch (WechatApiException e) {
            log.info("Event {}: WeChat did not cancel 'typing': {}", eventId, e.getMessage());
        }
    }

    private String json(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The database's clock: leases and windows compare times written by several nodes, whose clocks differ. */
    private Timestamp dbNow() {
        return jdbc.queryForObject("SELECT CURRENT_TIMESTAMP", Timestamp.class);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String describe(WechatApiException e) {
        Integer errcode = e.errcode();
        if (errcode != null && errcode == 43004) {
            return "WeChat refused the message: the follower no longer follows the account (errcode 43004): " + e.getMessage();
        }
        if (errcode != null && errcode == 45015) {
            return "WeChat refused the message: out of the window for replies (errcode 45015): " + e.getMessage();
        }
        if (errcode != null && errcode == 45047) {
            return "WeChat refused the message: over the quota of messages for this action (errcode 45047): " + e.getMessage();
        }
        return "WeChat did not take the message: " + e.getMessage();
    }

    private void fail(String account, String eventId, String error) {
        int marked = jdbc.update("""
                UPDATE wechat_event SET reply_status = 'failed', reply_error = ?, reply_done_at = ?
                WHERE id = ? AND reply_claimed_by = ? AND reply_status IN ('waiting', 'sending')""",
                shorten(error), dbNow(), eventId, node);
        if (marked == 1) {
            log.warn("Event {}: the late reply failed and will not be sent: {}", eventId, error);
            counted(account, "failed");
        }
    }

    /**
     * Every poll (routes/wechat-late-replies.camel.yaml): renews this node's claims, and takes
     * over the late replies of nodes that stopped renewing theirs — or fails them when they are
     * past their window, or were being sent when the node stopped.
     */
    public void poll() {
        try {
            Timestamp now = dbNow();
            // Only the replies a thread here is still working on: one whose thread ended without
            // settling it lapses, and is then taken over or failed like a dead node's.
            List<String> mine = List.copyOf(working);
            if (!mine.isEmpty()) {
                named.update("""
                        UPDATE wechat_event SET reply_claimed_at = :now
                        WHERE id IN (:ids) AND reply_claimed_by = :node AND reply_status IN ('waiting', 'sending')""",
                        new MapSqlParameterSource().addValue("now", now).addValue("ids", mine).addValue("node", node));
            }
            Timestamp lapsed = new Timestamp(now.getTime() - properties.lease().toMillis());
            List<Stranded> stranded = jdbc.query("""
                    SELECT id, account, open_id, event_key, reply_status, reply_due_at FROM wechat_event
                    WHERE reply_status IN ('waiting', 'sending') AND reply_claimed_at < ?""",
                    (rs, i) -> new Stranded(rs.getString("id"), rs.getString("account"), rs.getString("open_id"),
                            rs.getString("event_key"), rs.getString("reply_status"), rs.getTimestamp("reply_due_at").toInstant()),
                    lapsed);
            for (Stranded reply : stranded) {
                takeOverStranded(reply, now, lapsed);
            }
        } catch (RuntimeException e) {
            log.warn("Could not look for late replies to renew or take over: {}", e.toString());
        }
    }

    private record Stranded(String id, String account, String openId, String eventKey, String status, Instant dueAt) {
    }

    private void takeOverStranded(Stranded reply, Timestamp now, Timestamp lapsed) {
        String error = null;
        if (reply.status().equals("sending")) {
            error = "the node sending it stopped; not known whether WeChat delivered it, so it is not sent again";
        } else if (!reply.dueAt().isAfter(now.toInstant())) {
            error = "too late: the node waiting for the CRM stopped and hub.reply.max-wait (WeChat's window) has passed";
        }
        Optional<String> path = accounts.account(reply.account()).flatMap(a -> a.menuReply(reply.eventKey()))
                .map(MenuReply::crm).map(template -> com.wechathub.wechat.PassiveReply.crmPath(template, reply.openId(), reply.eventKey()));
        if (error == null && path.isEmpty()) {
            error = "the menu reply of " + reply.eventKey() + " is no longer a crm: reply";
        }
        if (error != null) {
            if (jdbc.update("""
                    UPDATE wechat_event SET reply_status = 'failed', reply_error = ?, reply_done_at = ?
                    WHERE id = ? AND reply_status = ? AND reply_claimed_at < ?""", shorten(error), now, reply.id(), reply.status(), lapsed) == 1) {
                log.warn("Event {}: the late reply failed and will not be sent: {}", reply.id(), error);
                counted(reply.account(), "failed");
            }
            return;
        }
        if (jdbc.update("""
                UPDATE wechat_event SET reply_claimed_by = ?, reply_claimed_at = ?
                WHERE id = ? AND reply_status = 'waiting' AND reply_claimed_at < ?""", node, now, reply.id(), lapsed) == 1) {
            log.info("Event {}: took over the late reply of a node that stopped; asking the CRM again", reply.id());
            deliver(reply.account(), reply.id(), reply.openId(), crm.ask(reply.id(), path.get()), reply.dueAt(), true);
        }
    }

    private void counted(String account, String outcome) {
        Counter.builder("wechat.late.replies").description("Late replies (crm: replies sent after the push was answered), by outcome")
                .tag("account", account).tag("outcome", outcome).register(registry).increment();
    }

    private static String shorten(String text) {
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }

    @Override
    public void destroy() {
        threads.shutdownNow();
    }
}
