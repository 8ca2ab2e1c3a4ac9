package com.wechathub.tracing;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import org.apache.camel.CamelContext;
import org.apache.camel.observation.MicrometerObservationTracer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Camel's routes traced through Spring Boot's Micrometer Tracing (OpenTelemetry bridge) while
 * management.tracing.enabled is true. camel-observation-starter stands aside when Spring Boot's
 * actuator is on the class path, so the tracer is installed here. The dispatcher's timer polls
 * 100 times a second and is not traced.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "management.tracing.enabled", havingValue = "true")
class TracingConfiguration {

    @Bean(initMethod = "", destroyMethod = "")
    MicrometerObservationTracer camelTracer(CamelContext camel, Tracer tracer, ObservationRegistry observations) {
        MicrometerObservationTracer routes = new MicrometerObservationTracer();
        routes.setTracer(tracer);
        routes.setObservationRegistry(observations);
        routes.setExcludePatterns("timer:*");
        routes.init(camel);
        return routes;
    }
}
