package com.wechathub.reply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.wechat.WechatProperties;
import com.wechathub.wechat.WechatProperties.MenuReply;
import com.wechathub.wechat.api.WechatApi;
import com.wechathub.wechat.api.WechatApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Late replies (SPEC §10.4): a {@code crm:} reply not ready by the deadline is sent as one
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
 * <li>{@code sent}, {@code none} (the CRM answered 204), or {@code failed}: too late (past
 *     hub.reply.max-wait), refused by WeChat (45015 out of the window, 45047 over the quota, …),
 *     the CRM failed. Final: nothing is retried forever. Each outcome is counted.</li>
 * </ul>
 */
@Component("lateReplies")
public class LateReplies implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(LateReplies.class);

    private final JdbcTemplate jdbc;
    private final WechatApi api;
    private final ReplyFromCrm crm;
    private final WechatProperties accounts;
    private final ReplyProperties properties;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final Clock clock;
    private final ExecutorService threads = ReplyFromCrm.threads("late-reply-");
    private final String node = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
    private final Set<String> working = ConcurrentHashMap.newKeySet();
    private final NamedParameterJdbcTemplate named;

    LateReplies(JdbcTemplate jdbc, WechatApi api, ReplyFromCrm crm, WechatProperties accounts, ReplyProperties properties,
                ObjectMapper json, MeterRegistry registry, Clock clock) {
        this.jdbc = jdbc;
        this.named = new NamedParameterJdbcTemplate(jdbc);
        this.api = api;
        this.crm = crm;
        this.accounts = accounts;
        this.properties = properties;
        this.json = json;
        this.registry = registry;
        this.clock = clock;
    }

    /** Whether the event's reply is already in the hands of the late path (or finished there). */
    boolean inHand(String eventId) {
        return !jdbc.queryForList("SELECT reply_status FROM wechat_event WHERE id = ? AND reply_status IS NOT NULL",
                String.class, eventId).isEmpty();
    }

    /**
     * The push's deadline passed with the CRM still working: take the reply over, unless another
     * request for the same event (WeChat's retry, a twin on another node) already did.
     */
    void takeOver(String account, String eventId, String openId, CompletableFuture<Optional<CrmReply>> reply, Instant pushedAt) {
        if (!api.enabled(account)) {
            reply.cancel(true);
            failNow(account, eventId, "the reply was not ready by hub.reply.deadline and account " + account
                    + " has no app-secret to send it later");
            return;
        }
        Timestamp now = now();
        Timestamp dueAt = Timestamp.from(pushedAt.plus(properties.maxWait()));
        int taken = jdbc.update("""
                UPDATE wechat_event SET reply_status = 'waiting', reply_claimed_by = ?, reply_claimed_at = ?, reply_due_at = ?,
                                        reply_error = NULL
                WHERE id = ? AND reply_status IS NULL""", node, now, dueAt, eventId);
        if (taken == 0) {
            log.debug("The late reply of event {} is already taken", eventId);
            return;
        }
        log.info("Event {}: the CRM's reply was not ready by the deadline; answered success, sending it later", eventId);
        deliver(account, eventId, openId, reply, dueAt.toInstant(), true);
    }

    /** The CRM's reply failed before the deadline: the push is answered "success", the event says why. */
    void failNow(String account, String eventId, String error) {
        int marked = jdbc.update("UPDATE wechat_event SET reply_status = 'failed', reply_error = ?, reply_done_at = ? WHERE id = ? AND reply_status IS NULL",
                shorten(error), now(), eventId);
        if (marked == 1) {
            log.warn("Event {}: no reply for the follower: {}", eventId, error);
            counted(account, "failed");
        }
    }

    private void deliver(String account, String eventId, String openId, CompletableFuture<Optional<CrmReply>> reply,
                         Instant dueAt, boolean showTyping) {
        working.add(eventId);
        try {
            threads.execute(() -> {
                try {
                    deliverNow(account, eventId, openId, reply, dueAt, showTyping);
                } catch (RuntimeException e) { // the database, most likely: the claim lapses and another node (or this one) takes it over
                    log.warn("Event {}: could not deliver the late reply yet: {}", eventId, e.toString());
                } finally {
                    working.remove(eventId);
                }
            });
        } catch (RejectedExecutionException e) {
            working.remove(eventId);
            reply.cancel(true);
            fail(account, eventId, "too many late replies at once on this node");
        }
    }

    private void deliverNow(String account, String eventId, String openId, CompletableFuture<Optional<CrmReply>> reply,
                            Instant dueAt, boolean showTyping) {
        if (showTyping) {
            try {
                api.typing(account, openId); // WeChat shows it up to 15 s, or until the message
            } catch (WechatApiException e) {
                log.info("Event {}: WeChat did not show 'typing': {}", eventId, e.getMessage());
            }
        }
        Optional<CrmReply> answer;
        try {
            answer = reply.get(Math.max(0, dueAt.toEpochMilli() - clock.millis()), TimeUnit.MILLISECONDS);
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
            if (jdbc.update("UPDATE wechat_event SET reply_status = 'none', reply_done_at = ? WHERE id = ? AND reply_status = 'waiting' AND reply_claimed_by = ?",
                    now(), eventId, node) == 1) {
                counted(account, "none");
            }
            return;
        }
        Map<String, Object> message = answer.get().customMessage(openId);
        String body;
        try {
            body = json.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // Only the node that holds the claim sends, once: past this UPDATE nobody sends it again.
        if (jdbc.update("UPDATE wechat_event SET reply_status = 'sending', reply_message = ?, reply_claimed_at = ? WHERE id = ? AND reply_status = 'waiting' AND reply_claimed_by = ?",
                body, now(), eventId, node) == 0) {
            log.info("Event {}: another node took the late reply over; not sending it here", eventId);
            return;
        }
        try {
            api.sendMessage(account, message);
        } catch (WechatApiException e) {
            fail(account, eventId, describe(e));
            return;
        }
        jdbc.update("UPDATE wechat_event SET reply_status = 'sent', reply_done_at = ?, reply_error = NULL WHERE id = ? AND reply_claimed_by = ?",
                now(), eventId, node);
        counted(account, "sent");
        log.info("Event {}: late reply sent to the follower", eventId);
    }

    private static String describe(WechatApiException e) {
        Integer errcode = e.errcode();
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
                shorten(error), now(), eventId, node);
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
            Timestamp now = now();
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

    private Timestamp now() {
        return new Timestamp(clock.millis());
    }

    private static String shorten(String text) {
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }

    @Override
    public void destroy() {
        threads.shutdownNow();
    }
}
