package com.wechathub.idempotency;

import com.wechathub.wechat.Rejection;
import com.wechathub.wechat.WechatEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * Names a push: the dedupe key WeChat recommends (FromUserName + CreateTime), refined by account,
 * MsgType, Event and EventKey — a follower's subscribe and LOCATION, or two menu clicks, may share
 * one CreateTime second and are distinct events — and by MsgId for ordinary messages.
 * Events have no MsgId; a retry repeats every field, so it gets the same key.
 *
 * <p>The event id is a digest of that key: stable across WeChat's retries and our own, so it is
 * also the inbox's primary key, the CRM's Idempotency-Key and the AMQP message id.
 */
@Component("eventIdentity")
public class EventIdentity {

    public static final String EVENT_ID = "WechatEventId";
    /** The header the routes branch on, named as WeChat names the field. */
    public static final String EVENT = "Event";
    public static final String MSG_TYPE = "MsgType";
    public static final String OPEN_ID = "WechatOpenId";

    public void identify(Exchange exchange) {
        Message message = exchange.getMessage();
        WechatEvent event = message.getBody(WechatEvent.class);
        if (event == null) {
            throw new Rejection(400, "xml", "body is not a WeChat push");
        }
        if (isBlank(event.getFromUserName())) {
            throw new Rejection(400, "xml", "FromUserName is missing");
        }
        if (event.getCreateTime() == null) {
            throw new Rejection(400, "xml", "CreateTime is missing");
        }
        if (isBlank(event.getMsgType())) {
            throw new Rejection(400, "xml", "MsgType is missing");
        }
        // The inbox columns' sizes (V1__inbox.sql): a longer value is the push's fault, not the
        // database's, so it is a 400 rather than a 503 that WeChat would retry in vain.
        requireLength("FromUserName", event.getFromUserName(), 128);
        requireLength("MsgType", event.getMsgType(), 32);
        requireLength("Event", event.getEvent(), 64);
        requireLength("EventKey", event.getEventKey(), 2048);
        String account = message.getHeader("account", String.class);
        message.setHeader(EVENT_ID, eventId(account, event));
        message.setHeader(MSG_TYPE, event.getMsgType());
        message.setHeader(EVENT, event.isEvent() ? event.getEvent() : null);
        message.setHeader(OPEN_ID, event.getFromUserName());
    }

    public static String dedupeKey(String account, WechatEvent event) {
        return String.join("\u0000", account, event.getFromUserName(), Long.toString(event.getCreateTime()),
                event.getMsgType(), nullToEmpty(event.getEvent()), nullToEmpty(event.getEventKey()),
                nullToEmpty(event.getMsgId()));
    }

    public static String eventId(String account, WechatEvent event) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(dedupeKey(account, event).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private static void requireLength(String field, String value, int max) {
        if (value != null && value.codePointCount(0, value.length()) > max) {
            throw new Rejection(400, "xml", field + " is longer than " + max + " characters");
        }
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
