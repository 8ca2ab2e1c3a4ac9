package com.wechathub.reply;

import com.wechathub.idempotency.EventIdentity;
import com.wechathub.wechat.PassiveReply;
import com.wechathub.wechat.WechatEvent;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * A {@code crm:} menu reply (routes/wechat-reply.camel.yaml, step reply-from-crm): the CRM's
 * answer as the passive reply when it comes within hub.reply.deadline of the push's arrival;
 * otherwise "success" now and the reply later, as a customer-service message ({@link LateReplies}).
 * A retried push whose reply the late path already holds is answered "success" at once.
 */
@Component("crmReplies")
public class CrmReplies {

    private static final Logger log = LoggerFactory.getLogger(CrmReplies.class);

    private final ReplyFromCrm crm;
    private final LateReplies late;
    private final PassiveReply replies;
    private final ReplyProperties properties;

    CrmReplies(ReplyFromCrm crm, LateReplies late, PassiveReply replies, ReplyProperties properties) {
        this.crm = crm;
        this.late = late;
        this.replies = replies;
        this.properties = properties;
    }

    public String answer(Exchange exchange) throws InterruptedException {
        String path = exchange.getProperty(PassiveReply.CRM_PATH, String.class);
        WechatEvent event = exchange.getProperty(PassiveReply.EVENT, WechatEvent.class);
        String eventId = exchange.getMessage().getHeader(EventIdentity.EVENT_ID, String.class);
        String account = exchange.getMessage().getHeader("account", String.class);
        if (exchange.getProperty(Exchange.DUPLICATE_MESSAGE, false, Boolean.class) && late.inHand(eventId)) {
            return PassiveReply.SUCCESS; // WeChat's retry: the reply is on its way (or settled) already
        }
        Instant pushedAt = Instant.ofEpochMilli(exchange.getClock().getCreated());
        long wait = properties.deadline().toMillis() - exchange.getClock().elapsed();
        CompletableFuture<Optional<CrmReply>> reply = crm.ask(eventId, path);
        try {
            return reply.get(Math.max(wait, 0), TimeUnit.MILLISECONDS)
                    .map(answer -> answer.passive(replies, event)).orElse(PassiveReply.SUCCESS);
        } catch (TimeoutException e) {
            late.takeOver(account, eventId, event.getFromUserName(), reply, pushedAt);
            return PassiveReply.SUCCESS;
        } catch (ExecutionException e) {
            late.failNow(account, eventId, "the CRM's reply failed: " + e.getCause().getMessage());
            return PassiveReply.SUCCESS;
        } catch (RuntimeException e) {
            log.warn("Event {}: could not ask the CRM for the reply: {}", eventId, e.toString());
            return PassiveReply.SUCCESS;
        }
    }
}
