package com.wechathub.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import com.wechathub.inbox.Inbox;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/**
 * With management.tracing.enabled=false Spring Boot still makes a Tracer; neither the push nor the
 * dispatcher must do tracing work through it. With tracing on, the dispatch continues the trace
 * context kept on its event's row.
 */
class DispatchTracesTests {

    private static final String PUSH = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private final AtomicInteger started = new AtomicInteger();
    private final List<Object> carriers = new ArrayList<>();
    private final ObservationRegistry registry = ObservationRegistry.create();

    DispatchTracesTests() {
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStart(Observation.Context context) {
                started.incrementAndGet();
                if (context instanceof ReceiverContext<?> received) {
                    carriers.add(received.getCarrier());
                }
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
    }

    private DispatchTraces traces(boolean enabled) {
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("tracer", Tracer.NOOP);
        beans.addBean("propagator", Propagator.NOOP);
        beans.addBean("observations", registry);
        return new DispatchTraces(enabled, beans.getBeanProvider(Tracer.class), beans.getBeanProvider(Propagator.class),
                beans.getBeanProvider(ObservationRegistry.class));
    }

    private Exchange dispatched(DispatchTraces traces) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", "e1");
        row.put("traceparent", PUSH);
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(Inbox.ROW, row);
        exchange.getMessage().setHeader("WechatEventId", "e1");
        traces.open(exchange);
        traces.close(exchange);
        return exchange;
    }

    @Test
    void tracingOffObservesNothingAndKeepsNoTraceThoughATracerExists() {
        DispatchTraces traces = traces(false);
        Exchange exchange = dispatched(traces);
        assertThat(started).hasValue(0);
        assertThat(traces.of(exchange)).isNull();
    }

    @Test
    void tracingOnObservesEachEventInThePushsTrace() {
        dispatched(traces(true));
        assertThat(started).hasValue(1);
        assertThat(carriers).containsExactly(Map.of("traceparent", PUSH));
    }
}
