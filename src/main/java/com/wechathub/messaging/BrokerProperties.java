package com.wechathub.messaging;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Configuration;
import org.springframework.validation.annotation.Validated;

/**
 * Where each event is published (routes/wechat-publish.camel.yaml reads it as a placeholder;
 * docs/wechat.md, "How a push flows").
 *
 * @param uri the Camel endpoint of the broker: {@code file:data/outbox} (one JSON file per message under
 *            data/outbox/&lt;routing key&gt;/, the default profile) or, in prod,
 *            {@code spring-rabbitmq:wechat.events?confirm=enabled&confirmTimeout=5000} (RabbitMQ's topic exchange
 *            wechat.events, each message confirmed)
 */
@Validated
@ConfigurationProperties("hub.broker")
public record BrokerProperties(@DefaultValue("file:data/outbox") @NotBlank String uri) {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(BrokerProperties.class)
    static class Registration {
    }
}
