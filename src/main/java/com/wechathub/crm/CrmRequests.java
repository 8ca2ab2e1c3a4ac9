package com.wechathub.crm;

import com.wechathub.follower.FollowerDetails;
import com.wechathub.inbox.EventFields;
import com.wechathub.inbox.Inbox;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** The JSON bodies of the CRM contract (SPEC §7), built from the recorded event. */
@Component("crmRequests")
public class CrmRequests {

    private final String token;

    public CrmRequests(@Value("${hub.crm.token:}") String token) {
        this.token = token;
    }

    /** Adds "Authorization: Bearer &lt;hub.crm.token&gt;" when a token is configured. */
    public void authorize(Exchange exchange) {
        if (!token.isBlank()) {
            exchange.getMessage().setHeader("Authorization", "Bearer " + token);
        }
    }

    /**
     * PUT /bindings/{account}/{openid}: {account, openid, subscribed: true, at, scene, ticket}, plus
     * what WeChat's user/info returned for an account with an app-secret.
     */
    public Map<String, Object> binding(Exchange exchange) {
        Map<String, Object> row = row(exchange);
        Map<String, Object> body = base(row);
        body.put("subscribed", true);
        body.put("at", at(row));
        body.put("scene", EventFields.scene(row));
        body.put("ticket", EventFields.of(row).get("Ticket"));
        body.putAll(FollowerDetails.of(exchange)); // unionid, subscribeScene, qrSceneStr (SPEC §10.2)
        return body;
    }

    /** POST /activities: {account, openid, type: "scan", scene, ticket, at}. */
    public Map<String, Object> scanActivity(Exchange exchange) {
        Map<String, Object> row = row(exchange);
        Map<String, Object> body = base(row);
        body.put("type", "scan");
        body.put("scene", EventFields.scene(row));
        body.put("ticket", EventFields.of(row).get("Ticket"));
        body.put("at", at(row));
        return body;
    }

    private static Map<String, Object> base(Map<String, Object> row) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("account", row.get("account"));
        body.put("openid", row.get("open_id"));
        return body;
    }

    /** When the follower acted: WeChat's CreateTime, ISO-8601 UTC. */
    private static String at(Map<String, Object> row) {
        return Instant.ofEpochSecond(((Number) row.get("create_time")).longValue()).toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> row(Exchange exchange) {
        return exchange.getProperty(Inbox.ROW, Map.class);
    }
}
