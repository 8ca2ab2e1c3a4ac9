package com.wechathub.tracing;

import com.wechathub.idempotency.EventIdentity;
import com.wechathub.inbox.Inbox;
import com.wechathub.inbox.PushTraceparent;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.tracing.ActiveSpanManager;
import org.apache.camel.tracing.SpanAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * A push and the dispatch of its event as one trace (management.tracing.enabled). The push's
 * trace context is kept on its inbox row as a W3C traceparent ({@link #of}, column traceparent).
 * The dispatcher runs from the inbox on threads of its own, and its timer is not traced, so
 * {@link #open} starts a {@code wechat.dispatch} observation for each claimed event that continues
 * the row's traceparent (a new trace when the row has none: a push recorded while tracing was
 * off), in scope on the dispatch thread: every span of the event's routes (CRM, broker, WeChat's
 * API) nests under it, and the CRM and the broker get its traceparent. {@link #close} ends it,
 * whatever the outcome.
 *
 * <p>With tracing off (the default) every step returns at once and nothing is kept. Spring Boot
 * still makes a {@link Tracer} then (it only stops exporting), and observing every event through
 * it was 8 % of the dispatcher's CPU for spans nobody receives, so the switch is the property, not
 * the bean.
 */
@Component("dispatchTraces")
public class DispatchTraces implements PushTraceparent {

    private static final Logger log = LoggerFactory.getLogger(DispatchTraces.class);

    private static final String OBSERVATION = "wechathub.dispatch-observation";
    private static final String SCOPE = "wechathub.dispatch-scope";

    /** The W3C header, and the inbox column that keeps the push's. */
    static final String TRACEPARENT = "traceparent";

    private final boolean tracing;
    private final Tracer tracer;
    private final Propagator propagator;
    private final ObservationRegistry observations;

    DispatchTraces(@Value("${management.tracing.enabled:true}") boolean enabled, ObjectProvider<Tracer> tracer,
                   ObjectProvider<Propagator> propagator, ObjectProvider<ObservationRegistry> observations) {
        this.tracer = tracer.getIfAvailable();
        this.propagator = propagator.getIfAvailable();
        this.tracing = enabled && this.tracer != null && this.propagator != null;
        this.observations = observations.getIfAvailable(() -> ObservationRegistry.NOOP);
    }

    /**
     * The push's trace context as a W3C traceparent, for its inbox row: the span Camel's tracer
     * keeps on the exchange (the innermost of the callback route's). It is not current on the
     * thread that records the push, so it is put in scope just long enough for the tracer to read
     * it, sampling decision included. Null with tracing off, or when the push has no span.
     */
    @Override
    public String of(Exchange push) {
        if (!tracing) {
            return null;
        }
        SpanAdapter span = ActiveSpanManager.getSpan(push);
        if (span == null) {
            return null;
        }
        Map<String, String> headers = new HashMap<>(4);
        try (AutoCloseable scope = span.makeCurrent()) {
            Span current = tracer.currentSpan();
            if (current != null) {
                propagator.inject(current.context(), headers, Map::put);
            }
        } catch (Exception e) { // a trace is not worth a push: it is recorded without one
            log.warn("The push's trace context could not be read: {}", e.toString());
            return null;
        }
        return headers.get(TRACEPARENT);
    }

    /** Starts the event's dispatch observation, the root of its trace. */
    public void open(Exchange exchange) {
        if (!tracing) {
            return;
        }
        String eventId = exchange.getMessage().getHeader(EventIdentity.EVENT_ID, String.class);
        ReceiverContext<Map<String, String>> context = new ReceiverContext<>(Map::get);
        context.setCarrier(pushContext(exchange));
        context.setRemoteServiceName("wechat-event-hub inbox");
        Observation observation = Observation.createNotStarted("wechat.dispatch", () -> context, observations)
                .contextualName("dispatch " + exchange.getMessage().getHeader(EventIdentity.EVENT, "message", String.class))
                .highCardinalityKeyValue("wechat.event.id", String.valueOf(eventId))
                .start();
        exchange.setProperty(OBSERVATION, observation);
        exchange.setProperty(SCOPE, observation.openScope());
    }

    /** The push's trace context from the claimed row: none when the push was not traced. */
    private static Map<String, String> pushContext(Exchange exchange) {
        Map<?, ?> row = exchange.getProperty(Inbox.ROW, Map.class);
        Object traceparent = row != null ? row.get(TRACEPARENT) : null;
        return traceparent != null ? Map.of(TRACEPARENT, traceparent.toString()) : Map.of();
    }

    /** Ends the event's dispatch observation, whatever the outcome. */
    public void close(Exchange exchange) {
        if (!tracing) {
            return;
        }
        Observation.Scope scope = exchange.getProperty(SCOPE, Observation.Scope.class);
        Observation observation = exchange.getProperty(OBSERVATION, Observation.class);
        if (scope != null) {
            scope.close();
        }
        if (observation != null) {
            Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            if (failure != null) {
                observation.error(failure);
            }
            observation.stop();
        }
        exchange.removeProperty(SCOPE);
        exchange.removeProperty(OBSERVATION);
    }
}
