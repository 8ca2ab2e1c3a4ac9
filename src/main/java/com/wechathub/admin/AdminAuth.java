package com.wechathub.admin;

import com.wechathub.wechat.Rejection;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Guards the operator API: it exists only when hub.admin.token is set (404 otherwise), and every
 * call needs "Authorization: Bearer &lt;token&gt;" (401 otherwise), compared in constant time.
 * A client address that sent {@value #MAX_FAILURES} wrong tokens (a call without any token is no guess) within a minute is answered 429
 * with Retry-After until the oldest of them is a minute old, right token or not (docs/security.md): the
 * token cannot be guessed at the speed of the network. Behind a reverse proxy every client has
 * the proxy's address unless Spring Boot is told to trust its X-Forwarded-For
 * ({@code server.forward-headers-strategy=native}).
 */
@Component("adminAuth")
public class AdminAuth {

    private static final Logger log = LoggerFactory.getLogger(AdminAuth.class);

    static final int MAX_FAILURES = 20;
    static final Duration WINDOW = Duration.ofMinutes(1);
    /** Client addresses remembered at once: about 200 bytes each. */
    static final int MAX_CLIENTS = 10_000;

    private final byte[] token;
    private final FailedTokens failures;

    public AdminAuth(AdminProperties admin, Clock clock) {
        this.token = admin.token().getBytes(StandardCharsets.UTF_8);
        this.failures = new FailedTokens(MAX_FAILURES, WINDOW, MAX_CLIENTS, clock);
    }

    public void require(Exchange exchange) {
        requireEnabled(exchange);
        String client = client(exchange);
        OptionalLong blocked = failures.blockedFor(client);
        if (blocked.isPresent()) {
            // HttpAnswers replaces the message's headers with its own; the servlet response keeps this one.
            if (exchange.getIn() instanceof PlatformHttpMessage http && http.getResponse() != null) {
                http.getResponse().setHeader("Retry-After", Long.toString(blocked.getAsLong()));
            }
            throw new Rejection(429, "admin_too_many_failures",
                    "too many wrong tokens from this address; retry after " + blocked.getAsLong() + " s");
        }
        String header = authorization(exchange);
        byte[] presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(token, presented)) {
            if (header == null) {
                // No token at all is not a guess: the console's first look, a probe, a forgotten header.
                throw new Rejection(401, "admin_unauthorized", "a valid Bearer token is required");
            }
            failures.failed(client);
            if (failures.blockedFor(client).isPresent()) {
                log.warn("{} wrong operator tokens within {} s from {}: its calls are refused (429) for a while",
                        MAX_FAILURES, WINDOW.toSeconds(), client);
            }
            throw new Rejection(401, "admin_unauthorized", "a valid Bearer token is required");
        }
        failures.succeeded(client);
    }

    /**
     * The address the call came from, as the hub sees it: behind a reverse proxy, the proxy's,
     * unless Spring Boot is told to trust its X-Forwarded-For.
     */
    static String client(Exchange exchange) {
        HttpServletRequest request = exchange.getIn() instanceof PlatformHttpMessage http ? http.getRequest() : null;
        return request != null ? request.getRemoteAddr() : "unknown";
    }

    /**
     * The request's own Authorization header. platform-http also turns query parameters into
     * message headers, and a token must not count when it comes in the URL (where access logs,
     * proxies and browser history keep it).
     */
    private static String authorization(Exchange exchange) {
        if (exchange.getIn() instanceof PlatformHttpMessage http && http.getRequest() != null) {
            return http.getRequest().getHeader("Authorization");
        }
        return exchange.getIn().getHeader("Authorization", String.class);
    }

    /**
     * Only that the operator API is on: for the console's page and its script, which hold no data
     * and load without a token (the sign-in asks for it; every call the page makes then needs it).
     */
    public void requireEnabled(Exchange exchange) {
        if (token.length == 0) {
            // Still 404 (nothing is here), but the operator who tries learns how to turn it on.
            throw new Rejection(404, "admin_disabled",
                    "the operator API and console are off: start the hub with hub.admin.token set (e.g. HUB_ADMIN_TOKEN=…)");
        }
    }

    /** How many client addresses the failure counters hold now (bounded by {@link #MAX_CLIENTS}). */
    int clientsRemembered() {
        return failures.clientsRemembered();
    }
}
