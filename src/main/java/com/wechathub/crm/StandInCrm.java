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

    @GetMapping("/calls")
    synchronized List<Map<String, Object>> calls() {
        return List.copyOf(calls);
    }
}
