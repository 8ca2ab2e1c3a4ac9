package com.wechathub.reply;

import com.wechathub.idempotency.EventIdentity;
import com.wechathub.wechat.PassiveReply;
import com.wechathub.wechat.WechatEvent;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * A {@code crm:} menu reply (routes/wechat-reply.camel.yaml, step reply-from-crm): the CRM's
 * answer as the passive reply when it comes within hub.reply.deadline of the push's arrival —
 * recorded with the event first, so the late path never sends it too, and WeChat's retry of the
 * push gets the same reply; otherwise "success" now and the reply later, as a customer-service
 * message ({@link LateReplies}).
 * A retried push whose reply the late path already holds is answered "success" at once. At most
 * hub.reply.max-waiting pushes wait for the CRM at once; beyond that the reply goes the late way
 * straight away, so a hanging CRM holds a few request threads, never the callback.
 */
@Component("crmReplies")
public class CrmReplies {

    private static final Logger log = LoggerFactory.getLogger(CrmReplies.class);

    private final ReplyFromCrm crm;
    private final LateReplies late;
    private final PassiveReply replies;
    private final ReplyProperties properties;
    private final Semaphore waiting;

    CrmReplies(ReplyFromCrm crm, LateReplies late, PassiveReply replies, ReplyProperties properties) {
        this.crm = crm;
        this.late = late;
        this.replies = replies;
        this.properties = properties;
        this.waiting = new Semaphore(properties.maxWaiting());
    }

    public String answer(Exchange exchange) throws InterruptedException {
        String path = exchange.getProperty(PassiveReply.CRM_PATH, String.class);
        WechatEvent event = exchange.getProperty(PassiveReply.EVENT, WechatEvent.class);
        String eventId = exchange.getMessage().getHeader(EventIdentity.EVENT_ID, String.class);
        String account = exchange.getMessage().getHeader("account", String.class);
        if (exchange.getProperty(Exchange.DUPLICATE_MESSAGE, false, Boolean.class)) {
            Optional<String> status = late.status(eventId);
            if (status.isPresent()) { // WeChat's retry: the same passive reply, or the late one is on its way (or settled)
                return status.get().equals("passive") ? late.passiveReply(eventId).map(r -> r.passive(replies, event)).orElse(PassiveReply.SUCCESS)
                        : PassiveReply.SUCCESS;
            }
        }
        Instant actedAt = event.getCreateTime() == null ? Instant.ofEpochMilli(exchange.getClock().getCreated())
                : Instant.ofEpochSecond(event.getCreateTime());
        long wait = properties.deadline().toMillis() - exchange.getClock().elapsed();
        // A request thread waits for the CRM only while few do: the rest of the callback (other
        // pushes, WeChat's 5 s) must not depend on how slow the CRM is.
        boolean waits = waiting.tryAcquire();
        CompletableFuture<Optional<CrmReply>> reply;
        try {
            reply = crm.ask(eventId, path);
        } catch (RuntimeException e) {
            if (waits) {
                waiting.release();
            }
            throw e;
        }
        try {
            Optional<CrmReply> answer = reply.get(waits ? Math.max(wait, 0) : 0, TimeUnit.MILLISECONDS);
            if (answer.isEmpty()) {
                return PassiveReply.SUCCESS;
            }
            if (late.recordPassive(eventId, answer.get())) {
                return answer.get().passive(replies, event);
            }
            // This push's twin (WeChat's retry, another node) answered or took the reply first: that one counts.
            return late.passiveReply(eventId).map(r -> r.passive(replies, event)).orElse(PassiveReply.SUCCESS);
        } catch (TimeoutException e) {
            late.takeOver(account, eventId, event.getFromUserName(), reply, actedAt);
            return PassiveReply.SUCCESS;
        } catch (ExecutionException e) {
            late.failNow(account, eventId, "the CRM's reply failed: " + e.getCause().getMessage());
            return PassiveReply.SUCCESS;
        } catch (RuntimeException e) {
            log.warn("Event {}: could not ask the CRM for the reply: {}", eventId, e.toString());
            return PassiveReply.SUCCESS;
        } finally {
            if (waits) {
                waiting.release();
            }
        }
    }
}
