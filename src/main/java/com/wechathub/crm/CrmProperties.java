package com.wechathub.crm;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Configuration;
import org.springframework.validation.annotation.Validated;

/**
 * The CRM every event goes to, and that computes {@code crm:} replies (docs/wechat.md, "The CRM
 * contract"). routes/wechat-crm.camel.yaml and routes/wechat-crm-reply.camel.yaml read the URL and
 * timeouts as placeholders.
 *
 * @param baseUrl         the CRM's base URL; every call is a path under it. application.yaml's default profile points
 *                        it at the built-in stand-in CRM (/stand-in/crm); prod sets the real one
 * @param token           sent as "Authorization: Bearer &lt;token&gt;" when set (from the environment: HUB_CRM_TOKEN)
 * @param connectTimeout  milliseconds to open a connection to the CRM
 * @param responseTimeout milliseconds an event's CRM call waits for the answer; then it fails and is retried (a {@code crm:}
 *                        reply waits up to hub.reply.max-wait instead)
 * @param refusedStatuses answers that refuse the request itself: the event is dead at once instead of retried (a
 *                        retry would be refused too), and the circuit breaker does not count them; an operator
 *                        replays the event once the CRM or the configuration is fixed
 */
@Validated
@ConfigurationProperties("hub.crm")
public record CrmProperties(
        String baseUrl,
        @DefaultValue("") String token,
        @DefaultValue("2000") @Positive int connectTimeout,
        @DefaultValue("5000") @Positive int responseTimeout,
        @DefaultValue({"400", "404", "405", "410", "413", "414", "415", "422", "501"}) @NotNull Set<Integer> refusedStatuses) {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(CrmProperties.class)
    static class Registration {
    }
}
