package com.wechathub.tracing;

import com.wechathub.idempotency.EventIdentity;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.tracing.Tracer;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * One trace per dispatched event (management.tracing.enabled): the dispatcher runs from the inbox
 * on threads of its own, and its timer is not traced, so {@link #open} starts a
 * {@code wechat.dispatch} observation for each claimed event, in scope on the dispatch thread:
 * every span of the event's routes (CRM, broker, WeChat's API) nests under it, and the CRM and the
 * broker get its W3C traceparent. {@link #close} ends it, whatever the outcome. The push that
 * recorded the event has a trace of its own (the callback route's); the two are not linked yet.
 *
 * <p>With tracing off (the default) both steps return at once. Spring Boot still makes a
 * {@link Tracer} then (it only stops exporting), and observing every event through it was 8 % of
 * the dispatcher's CPU for spans nobody receives, so the switch is the property, not the bean.
 */
@Component("dispatchTraces")
public class DispatchTraces {

    private static final String OBSERVATION = "wechathub.dispatch-observation";
    private static final String SCOPE = "wechathub.dispatch-scope";

    private final boolean tracing;
    private final ObservationRegistry observations;

    DispatchTraces(@Value("${management.tracing.enabled:true}") boolean enabled, ObjectProvider<Tracer> tracer,
                   ObjectProvider<ObservationRegistry> observations) {
        this.tracing = enabled && tracer.getIfAvailable() != null;
        this.observations = observations.getIfAvailable(() -> ObservationRegistry.NOOP);
    }

    /** Starts the event's dispatch observation, the root of its trace. */
    public void open(Exchange exchange) {
        if (!tracing) {
            return;
        }
        String eventId = exchange.getMessage().getHeader(EventIdentity.EVENT_ID, String.class);
        ReceiverContext<Map<String, String>> context = new ReceiverContext<>(Map::get);
        context.setCarrier(Map.of());
        context.setRemoteServiceName("wechat-event-hub inbox");
        Observation observation = Observation.createNotStarted("wechat.dispatch", () -> context, observations)
                .contextualName("dispatch " + exchange.getMessage().getHeader(EventIdentity.EVENT, "message", String.class))
                .highCardinalityKeyValue("wechat.event.id", String.valueOf(eventId))
                .start();
        exchange.setProperty(OBSERVATION, observation);
        exchange.setProperty(SCOPE, observation.openScope());
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
