package com.wechathub.web;

import com.fasterxml.jackson.core.JacksonException;
import com.wechathub.metrics.HubMetrics;
import com.wechathub.wechat.Rejection;
import javax.xml.stream.XMLStreamException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.StreamCacheException;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Shapes what goes back on the wire. Request headers (query and path parameters, User-Agent…)
 * would otherwise be echoed back as response headers by platform-http, so every answer starts
 * from a clean set. Refusals are a status and one short line of text, never a stack trace.
 */
@Component("httpAnswers")
public class HttpAnswers {

    private static final Logger log = LoggerFactory.getLogger(HttpAnswers.class);

    private final HubMetrics metrics;

    public HttpAnswers(HubMetrics metrics) {
        this.metrics = metrics;
    }

    public void ok(Exchange exchange) {
        Message message = exchange.getMessage();
        String body = message.getBody(String.class);
        String contentType = message.getHeader(Exchange.CONTENT_TYPE, String.class);
        if (contentType == null || !contentType.startsWith("application/json")) {
            boolean xml = body != null && body.startsWith("<xml>");
            contentType = xml ? "application/xml;charset=UTF-8" : "text/plain;charset=UTF-8";
        }
        answer(exchange, message.getHeader(Exchange.HTTP_RESPONSE_CODE, 200, Integer.class), body, contentType);
    }

    public void rejection(Exchange exchange) {
        Rejection rejection = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Rejection.class);
        log.info("Refused {} {}: {} {}", exchange.getMessage().getHeader(Exchange.HTTP_METHOD),
                exchange.getMessage().getHeader(Exchange.HTTP_PATH), rejection.getStatus(), rejection.getMessage());
        metrics.rejected(rejection.getReason());
        answer(exchange, rejection.getStatus(), rejection.getMessage(), "text/plain;charset=UTF-8");
    }

    public void malformed(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        log.info("Refused a malformed push: {}", cause.getClass().getSimpleName());
        metrics.rejected("xml");
        answer(exchange, 400, "malformed XML", "text/plain;charset=UTF-8");
    }

    public void unavailable(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        log.warn("Could not record a push in the inbox, answering 503 so WeChat retries: {}", cause.toString());
        metrics.rejected("inbox_unavailable");
        answer(exchange, 503, "inbox unavailable, retry later", "text/plain;charset=UTF-8");
    }

    public void internalError(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        // Camel picks the onException clause by the innermost cause first, so a refusal of the
        // client's input that wraps some other exception lands here rather than in its own clause:
        // Jackson's parser failing on an out-of-range number with a NullPointerException inside,
        // or a body that is not UTF-8 (Tomcat's decoder fails, Camel reports "Stream closed").
        if (causedBy(cause, JacksonException.class) || causedBy(cause, XMLStreamException.class)) {
            malformed(exchange);
            return;
        }
        if (causedBy(cause, StreamCacheException.class)) {
            log.info("Refused a push whose body cannot be read as text: {}", cause.getClass().getSimpleName());
            metrics.rejected("encoding");
            answer(exchange, 400, "body is not valid UTF-8", "text/plain;charset=UTF-8");
            return;
        }
        log.error("Unexpected failure answering a push", cause);
        metrics.rejected("internal");
        answer(exchange, 500, "internal error", "text/plain;charset=UTF-8");
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        return ObjectHelper.getException(type, error) != null;
    }

    private void answer(Exchange exchange, int status, String body, String contentType) {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, contentType);
        message.setBody(body == null ? "" : body);
        metrics.answered(exchange);
    }
}
