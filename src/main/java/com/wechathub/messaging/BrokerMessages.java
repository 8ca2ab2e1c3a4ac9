package com.wechathub.messaging;

import com.wechathub.campaign.CampaignAttribution;
import com.wechathub.follower.FollowerDetails;
import com.wechathub.idempotency.EventIdentity;
import com.wechathub.inbox.EventFields;
import com.wechathub.inbox.Inbox;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

/**
 * The message the broker gets for every event: JSON with every field of the push plus id,
 * account and receivedAt; routing key {@code <account>.<event in lower case>} (ordinary messages:
 * {@code <account>.message.<MsgType>}); the AMQP message id is the event id, so consumers can
 * deduplicate a republished event.
 */
@Component("brokerMessages")
public class BrokerMessages {

    public static final String EXCHANGE = "wechat.events";

    public Map<String, Object> prepare(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> row = exchange.getProperty(Inbox.ROW, Map.class);
        Message message = exchange.getMessage();
        String id = (String) row.get("id");
        String routingKey = routingKey(row);
        message.setHeader("CamelSpringRabbitmqRoutingOverrideKey", routingKey);
        message.setHeader("CamelSpringRabbitmqMessageId", id);
        message.setHeader("CamelSpringRabbitmqContentType", "application/json");
        message.setHeader(Exchange.FILE_NAME, routingKey + "/" + id + ".json"); // the stand-in's outbox file
        message.setHeader(EventIdentity.EVENT_ID, id);

        Map<String, Object> body = new LinkedHashMap<>(EventFields.of(row));
        body.put("id", id);
        body.put("account", row.get("account"));
        body.put("receivedAt", EventFields.instant(row.get("received_at")).toString());
        body.putAll(FollowerDetails.of(exchange)); // a subscribe's unionid, subscribeScene, qrSceneStr (SPEC §10.2)
        body.putAll(CampaignAttribution.of(exchange)); // a campaign's event: campaign, tags (SPEC §15.2)
        return body;
    }

    static String routingKey(Map<String, Object> row) {
        Object event = row.get("event");
        String kind = event != null ? event.toString() : "message." + row.get("msg_type");
        return row.get("account") + "." + kind.toLowerCase(Locale.ROOT);
    }

    @Configuration(proxyBeanMethods = false)
    static class Declarations {

        /** Declared whenever the hub connects to RabbitMQ: producers do not declare exchanges. */
        @Bean
        TopicExchange wechatEventsExchange() {
            return new TopicExchange(EXCHANGE, true, false);
        }
    }
}
