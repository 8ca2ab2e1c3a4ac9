package com.wechathub.crm;

import com.wechathub.campaign.CampaignAttribution;
import com.wechathub.follower.FollowerDetails;
import com.wechathub.inbox.EventFields;
import com.wechathub.inbox.Inbox;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriUtils;

/** The JSON bodies of the CRM contract (docs/wechat.md), built from the recorded event. */
@Component("crmRequests")
public class CrmRequests {

    private final String token;
    private final Set<Integer> refusedStatuses;

    public CrmRequests(CrmProperties crm) {
        this.token = crm.token();
        this.refusedStatuses = Set.copyOf(crm.refusedStatuses());
    }

    /**
     * Inside the circuit breaker, after the CRM call (made without throwing on a failure status):
     * a status other than 2xx that is not a refusal throws {@link CrmCallFailedException}, which
     * the breaker counts.
     */
    public void failIfFailed(Exchange exchange) {
        int status = status(exchange);
        if (!(status >= 200 && status < 300) && !refusedStatuses.contains(status)) {
            throw new CrmCallFailedException(call(exchange), status, detail(exchange));
        }
    }

    /**
     * Outside the breaker (the CRM answered: it is up): a refused status throws
     * {@link CrmRefusedException}, and the dispatcher marks the event dead at once.
     */
    public void failIfRefused(Exchange exchange) {
        int status = status(exchange);
        if (refusedStatuses.contains(status)) {
            throw new CrmRefusedException(call(exchange), status, detail(exchange));
        }
    }

    private static int status(Exchange exchange) {
        return exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
    }

    private static String call(Exchange exchange) {
        Message message = exchange.getMessage();
        return message.getHeader(Exchange.HTTP_METHOD, "POST", String.class) + " " + message.getHeader(Exchange.HTTP_PATH, "", String.class);
    }

    private static String detail(Exchange exchange) {
        String body = exchange.getMessage().getBody(String.class);
        return body == null || body.isBlank() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) + "…" : body);
    }

    /** Adds "Authorization: Bearer &lt;hub.crm.token&gt;" when a token is configured. */
    public void authorize(Exchange exchange) {
        if (!token.isBlank()) {
            exchange.getMessage().setHeader("Authorization", "Bearer " + token);
        }
    }

    /**
     * The path of a follower's binding, {@code /bindings/{account}/{openid}}: account and OpenID
     * each percent-encoded as one path segment (docs/security.md). A FromUserName is text from the
     * internet; with '/', '?', '#', "..", '%' or ';' in it, it must not name another CRM path or a
     * query, which would carry the CRM's bearer token there.
     */
    public String bindingPath(Exchange exchange) {
        Map<String, Object> row = row(exchange);
        return "/bindings/" + segment(String.valueOf(row.get("account"))) + "/" + segment(String.valueOf(row.get("open_id")));
    }

    /**
     * One path segment that decodes to {@code value}: every byte but RFC 3986's unreserved
     * characters percent-encoded (UriUtils.encode), and a segment of only dots ("." or "..", which
     * a client or server would resolve as a step up the path) with its dots encoded too.
     */
    static String segment(String value) {
        String encoded = UriUtils.encode(value, StandardCharsets.UTF_8);
        return encoded.chars().allMatch(c -> c == '.') ? encoded.replace(".", "%2E") : encoded;
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
        body.putAll(FollowerDetails.of(exchange)); // unionid, subscribeScene, qrSceneStr (docs/wechat.md)
        body.putAll(CampaignAttribution.of(exchange)); // campaign, tags (docs/wechat.md, "The menu and scene-QR campaigns")
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
        body.putAll(CampaignAttribution.of(exchange)); // campaign, tags (docs/wechat.md, "The menu and scene-QR campaigns")
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
