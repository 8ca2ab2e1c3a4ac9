package com.wechathub.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/**
 * With management.tracing.enabled=false Spring Boot still makes a Tracer; the dispatcher must not
 * observe every event through it.
 */
class DispatchTracesTests {

    private final AtomicInteger started = new AtomicInteger();
    private final ObservationRegistry registry = ObservationRegistry.create();

    DispatchTracesTests() {
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStart(Observation.Context context) {
                started.incrementAndGet();
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
        beans.addBean("observations", registry);
        return new DispatchTraces(enabled, beans.getBeanProvider(Tracer.class), beans.getBeanProvider(ObservationRegistry.class));
    }

    private Exchange dispatched(DispatchTraces traces) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader("WechatEventId", "e1");
        traces.open(exchange);
        traces.close(exchange);
        return exchange;
    }

    @Test
    void tracingOffObservesNothingThoughATracerExists() {
        dispatched(traces(false));
        assertThat(started).hasValue(0);
    }

    @Test
    void tracingOnObservesEachEvent() {
        dispatched(traces(true));
        assertThat(started).hasValue(1);
    }
}
