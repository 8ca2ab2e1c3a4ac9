package com.wechathub;

import jakarta.validation.constraints.Positive;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The connection pools of the hub's own outbound calls (docs/security.md): WeChat's API
 * (routes/wechat-api.camel.yaml) and {@code crm:} replies (routes/wechat-crm-reply.camel.yaml), each
 * its own, so that a hanging CRM never takes WeChat's connections, nor the other way round. The
 * routes read these keys as placeholders.
 *
 * @param connectionWait        milliseconds a call waits for a free connection before it fails (inside WeChat's 5 s and
 *                              the token lock's 10 s)
 * @param wechatApiConnections  connections to WeChat's API: the dispatcher's threads and the late replies
 * @param crmReplyConnections   connections for {@code crm:} replies: as many as may be asked at once
 */
@Validated
@ConfigurationProperties("hub.outbound")
public record OutboundProperties(
        @DefaultValue("1000") @Positive int connectionWait,
        @DefaultValue("32") @Positive int wechatApiConnections,
        @DefaultValue("256") @Positive int crmReplyConnections) {
}
