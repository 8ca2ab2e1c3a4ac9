package com.wechathub.admin;

import com.wechathub.wechat.Rejection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Guards the operator API: it exists only when hub.admin.token is set (404 otherwise), and every
 * call needs "Authorization: Bearer &lt;token&gt;" (401 otherwise), compared in constant time.
 */
@Component("adminAuth")
public class AdminAuth {

    private final byte[] token;

    public AdminAuth(@Value("${hub.admin.token:}") String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    public void require(Exchange exchange) {
        requireEnabled(exchange);
        String header = authorization(exchange);
        byte[] presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(token, presented)) {
            throw new Rejection(401, "admin_unauthorized", "a valid Bearer token is required");
        }
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
            throw new Rejection(404, "admin_disabled", "not found");
        }
    }
}
