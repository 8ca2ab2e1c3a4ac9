package com.wechathub.crm;

import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.springframework.stereotype.Component;

/**
 * camel-http sends every exchange header as an HTTP header. The CRM gets only the headers of its
 * contract; and nothing of its response is copied back onto the exchange, whose routing headers
 * (account, Event, event id) the rest of the route still needs.
 */
@Component("crmHeaderFilter")
public class CrmHeaderFilter implements HeaderFilterStrategy {

    // traceparent, tracestate: W3C trace context, set only while tracing is on (management.tracing.enabled)
    private static final Set<String> SENT = Set.of("idempotency-key", "authorization", "content-type", "accept",
            "traceparent", "tracestate");

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !SENT.contains(headerName.toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return true;
    }
}
