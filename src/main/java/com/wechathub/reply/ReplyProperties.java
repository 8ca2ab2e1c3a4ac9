package com.wechathub.reply;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Configuration;
import org.springframework.validation.annotation.Validated;

/**
 * Replies the CRM computes (docs/wechat.md, "Replies" and "Late replies").
 *
 * @param deadline     the push is answered by then: with the CRM's reply if it is ready, else "success" and the
 *                     reply is sent later; inside WeChat's 5 s
 * @param maxWait      how long after the follower's action a late reply may still be sent (WeChat's window is a
 *                     minute). Also the HTTP timeout of a {@code crm:} reply's request: a reply later than this
 *                     could not be sent anyway (routes/wechat-crm-reply.camel.yaml reads it in milliseconds with
 *                     the millis: placeholder function), so no second setting has to agree with it
 * @param lease        a late reply whose node stopped renewing its claim for this long is taken over by another
 * @param pollInterval milliseconds between each node's renewals of its claims and looks for late replies to take over
 * @param maxWaiting   pushes that may wait for the CRM's reply at once, each holding a request thread up to the
 *                     deadline; beyond that a crm: reply is sent late at once, so a slow CRM cannot take the callback
 * @param maxLate      late replies one node delivers at once, each holding a thread up to maxWait; one more is
 *                     marked failed on its event ("too many late replies at once"), never dropped
 */
@Validated
@ConfigurationProperties("hub.reply")
public record ReplyProperties(
        @DefaultValue("4s") @DurationMin(millis = 1) @DurationMax(seconds = 5) Duration deadline,
        @DefaultValue("45s") @DurationMin(seconds = 1) Duration maxWait,
        @DefaultValue("10s") @DurationMin(millis = 1) Duration lease,
        @DefaultValue("1000") @Positive long pollInterval,
        @DefaultValue("16") @Positive int maxWaiting,
        @DefaultValue("256") @Positive int maxLate) {

    /** A reply the CRM computes later than WeChat's 5 s can only be a late one: the window must outlast the deadline. */
    @AssertTrue(message = "hub.reply.max-wait must be longer than hub.reply.deadline")
    boolean isMaxWaitPastDeadline() {
        return deadline == null || maxWait == null || maxWait.compareTo(deadline) > 0;
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ReplyProperties.class)
    static class Registration {
    }
}
