package com.wechathub.messaging;

import com.wechathub.campaign.CampaignAttribution;
import com.wechathub.follower.FollowerDetails;
import com.wechathub.idempotency.EventIdentity;
import com.wechathub.inbox.EventFields;
import com.wechathub.inbox.Inbox;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
 * <p>
 * Nothing from a push is syntax in a routing key (docs/security.md): the event part is a word from a
 * fixed set (WeChat's events and message types), else {@code other}, so an Event with dots, '*',
 * '#' or 300 bytes of text cannot make a key another consumer binds to, nor one the broker
 * refuses. The account part is the configured account id with every character but letters,
 * digits, '_' and '-' percent-encoded, so an id with a dot is still one word.
 */
@Component("brokerMessages")
public class BrokerMessages {

    public static final String EXCHANGE = "wechat.events";

    /** The routing key's word for an event of no known kind, or an ordinary message of no known type. */
    public static final String OTHER = "other";

    /** WeChat's events (Event, lower case): the seed's six, then menu, mass-send and template ones. */
    static final Set<String> EVENTS = Set.of("subscribe", "unsubscribe", "scan", "location", "click", "view",
            "scancode_push", "scancode_waitmsg", "pic_sysphoto", "pic_photo_or_album", "pic_weixin", "location_select",
            "view_miniprogram", "masssendjobfinish", "templatesendjobfinish");

    private static final String HEX = "0123456789ABCDEF";

    /** WeChat's ordinary messages (MsgType). */
    static final Set<String> MESSAGE_TYPES = Set.of("text", "image", "voice", "video", "shortvideo", "location", "link");

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
        body.putAll(FollowerDetails.of(exchange)); // a subscribe's unionid, subscribeScene, qrSceneStr (docs/wechat.md)
        body.putAll(CampaignAttribution.of(exchange)); // a campaign's event: campaign, tags (docs/wechat.md, "The menu and scene-QR campaigns")
        return body;
    }

    static String routingKey(Map<String, Object> row) {
        Object event = row.get("event");
        String kind = event != null
                ? known(event, EVENTS)
                : "message." + known(row.get("msg_type"), MESSAGE_TYPES);
        return accountWord(String.valueOf(row.get("account"))) + "." + kind;
    }

    private static String known(Object value, Set<String> words) {
        String word = value == null ? "" : value.toString().toLowerCase(Locale.ROOT);
        return words.contains(word) ? word : OTHER;
    }

    /**
     * The account id as one routing-key word: letters, digits, '_' and '-' as they are, every other
     * UTF-8 byte as %XX ('%' included, so two ids never share a word). Account ids are chosen by
     * the operator; "shop.cn" becomes "shop%2Ecn", not two words a binding "shop.#" would match.
     */
    static String accountWord(String account) {
        StringBuilder word = new StringBuilder(account.length());
        for (byte b : account.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '_' || c == '-')) {
                word.append(c);
            } else {
                word.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
            }
        }
        return word.toString();
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
