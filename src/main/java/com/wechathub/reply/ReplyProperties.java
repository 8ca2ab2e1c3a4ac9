package com.wechathub.reply;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Configuration;

/**
 * Replies the CRM computes (docs/wechat.md).
 *
 * @param deadline     the push is answered by then: with the CRM's reply if it is ready, else "success"
 * @param maxWait      how long after the push a late reply may still be sent (WeChat's window is a minute)
 * @param lease        a late reply whose node stopped renewing its claim for this long is taken over by another
 * @param pollInterval ms between each node's renewals of its claims and looks for late replies to take over
 * @param maxWaiting   pushes that may wait for the CRM's reply at once, each holding a request thread up to the
 *                     deadline; beyond that a crm: reply is sent late at once, so a slow CRM cannot take the callback
 * @param maxLate      late replies one node delivers at once, each holding a thread up to maxWait; one more is
 *                     marked failed on its event ("too many late replies at once"), never dropped
 */
@ConfigurationProperties("hub.reply")
public record ReplyProperties(
        @DefaultValue("4s") Duration deadline,
        @DefaultValue("45s") Duration maxWait,
        @DefaultValue("10s") Duration lease,
        @DefaultValue("1000") long pollInterval,
        @DefaultValue("16") int maxWaiting,
        @DefaultValue("256") int maxLate) {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(ReplyProperties.class)
    static class Registration {
    }
}
