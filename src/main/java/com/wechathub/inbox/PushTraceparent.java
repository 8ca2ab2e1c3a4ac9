package com.wechathub.inbox;

import org.apache.camel.Exchange;

/**
 * The trace context of the push being recorded, as a W3C traceparent, kept on its inbox row so
 * that the dispatch of its event continues the push's trace (docs/operating.md, "Dashboards,
 * alerts and traces"). Null when the push is not traced: with tracing off it does no work at all.
 */
public interface PushTraceparent {

    /** The traceparent of the push the exchange carries, or null. */
    String of(Exchange push);
}
