package com.wechathub.admin;

import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * Shapes the operator API's and the console's answers. Like HttpAnswers it starts from a clean set
 * of headers (platform-http would echo the request's back), then adds the headers the step asked
 * for (exchange property {@link #HEADERS}: paging's X-Next-Cursor and Link) and headers that keep a
 * browser from reading more into an answer than it says. Unlike HttpAnswers it does not time the
 * answer as a push: the console polls, and its calls must not move wechat.push.answer.
 */
@Component("adminAnswers")
public class AdminAnswers {

    /** Exchange property: a Map of response headers to send with the answer. */
    static final String HEADERS = "adminResponseHeaders";

    /** The console's own files only: no inline script or style, nothing from elsewhere, no framing. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /** A JSON (or text) answer of the operator API; status from CamelHttpResponseCode, else 200. */
    public void ok(Exchange exchange) {
        Message message = exchange.getMessage();
        Object body = message.getBody();
        String contentType = message.getHeader(Exchange.CONTENT_TYPE, "application/json", String.class);
        answer(exchange, message.getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class), contentType, body);
        message.setHeader("Cache-Control", "no-store");
    }

    static void answer(Exchange exchange, int status, String contentType, Object body) {
        Message message = exchange.getMessage();
        @SuppressWarnings("unchecked")
        Map<String, Object> extra = exchange.getProperty(HEADERS, Map.class);
        message.getHeaders().clear();
        if (extra != null) {
            message.getHeaders().putAll(extra);
        }
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, contentType);
        message.setHeader("X-Content-Type-Options", "nosniff");
        message.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        message.setHeader("X-Frame-Options", "DENY");
        message.setHeader("Referrer-Policy", "no-referrer");
        message.setBody(body == null ? "" : body);
    }
}
