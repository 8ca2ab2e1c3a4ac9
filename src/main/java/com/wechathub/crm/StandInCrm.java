package com.wechathub.crm;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Profile;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A stand-in for the CRM, so the embedded default profile runs with nothing else installed.
 * It accepts every call of the CRM contract, logs it, and lists the last 200 at
 * GET /stand-in/crm/calls. Exists only in the default profile; prod points hub.crm.base-url
 * at the real CRM.
 */
@Profile("default")
@RestController
@RequestMapping("/stand-in/crm")
class StandInCrm {

    private static final Logger log = LoggerFactory.getLogger(StandInCrm.class);

    private final Deque<Map<String, Object>> calls = new ArrayDeque<>();

    @RequestMapping(path = {"/bindings/**", "/activities"})
    synchronized ResponseEntity<Void> call(HttpServletRequest request,
                                           @RequestHeader(name = "Idempotency-Key", required = false) String key,
                                           @RequestBody(required = false) String body) {
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("at", Instant.now().toString());
        call.put("method", request.getMethod());
        call.put("path", request.getRequestURI().substring("/stand-in/crm".length()));
        call.put("idempotencyKey", key);
        call.put("body", body);
        log.info("Stand-in CRM got {} {} (Idempotency-Key {})", call.get("method"), call.get("path"), key);
        calls.addFirst(call);
        while (calls.size() > 200) {
            calls.removeLast();
        }
        return ResponseEntity.noContent().build();
    }

    /**
     * Replies for the demo account's {@code crm:} menu items: {@code GET /replies/<openid>/<key>}.
     * Keys ending in _SLOW take 6 s, past hub.reply.deadline, so the reply arrives as a
     * customer-service message (see GET /stand-in/wechat/messages).
     */
    @GetMapping("/replies/{openid}/{key}")
    ResponseEntity<Map<String, Object>> reply(@PathVariable String openid, @PathVariable String key,
                                              @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey)
            throws InterruptedException {
        log.info("Stand-in CRM asked for the reply to {} of {} (Idempotency-Key {})", key, openid, idempotencyKey);
        if (key.endsWith("_SLOW")) {
            Thread.sleep(6_000);
        }
        return ResponseEntity.ok(Map.of("text", "Your order 1042 ships today (the stand-in CRM's answer to " + key + ")."));
    }

    @GetMapping("/calls")
    synchronized List<Map<String, Object>> calls() {
        return List.copyOf(calls);
    }
}
