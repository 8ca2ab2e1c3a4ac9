package com.wechathub.routefiles;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The routes folder at start-up (there must be routes serving WeChat's callback, and pushes are
 * answered 503, not 404, until they serve) and its validated live reload (hub.routes.reload.enabled,
 * on by default).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RoutesProperties.class)
class RoutesConfiguration {

    /** The health component "callback" (in the readiness group) and the 503 for pushes until the callback route serves. */
    @Bean
    CallbackReadiness callbackHealthIndicator(CamelContext camelContext) {
        return new CallbackReadiness(camelContext);
    }

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> callbackReadinessFilter(CallbackReadiness readiness) {
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(readiness.filter());
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        registration.addUrlPatterns("/wechat/*");
        return registration;
    }

    /**
     * Camel loads the folder (camel.main.routes-include-pattern) once the web server is up; this
     * looks at it first, so a hub without routes to serve pushes never starts. Off where Camel
     * loads no routes (--validate-routes).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "camel.main.routes-collector-enabled", havingValue = "true", matchIfMissing = true)
    static class Folder {

        Folder(RoutesProperties properties) {
            RouteFolderCheck.require(properties.dir());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "hub.routes.reload.enabled", havingValue = "true", matchIfMissing = true)
    static class Reload {

        @Bean
        RoutesHealthIndicator routesHealthIndicator(Clock clock) {
            return new RoutesHealthIndicator(clock);
        }

        @Bean
        RouteSwapGate routeSwapGate(RoutesProperties properties) {
            return new RouteSwapGate(properties.reload().maxSwapWait());
        }

        /** First in the chain, so a held request has not been counted or timed by anything yet. */
        @Bean
        FilterRegistrationBean<RouteSwapGate> routeSwapGateRegistration(RouteSwapGate gate) {
            FilterRegistrationBean<RouteSwapGate> registration = new FilterRegistrationBean<>(gate);
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
            registration.addUrlPatterns("/*");
            return registration;
        }

        @Bean
        RoutesReloader routesReloader(RoutesProperties properties, RouteValidator validator, CamelContext camelContext,
                                      RouteSwapGate gate, ObjectProvider<RequestMappingHandlerMapping> handlerMappings,
                                      RoutesHealthIndicator health, MeterRegistry registry) {
            StaleHttpMappings staleHttpMappings = new StaleHttpMappings(handlerMappings.orderedStream().toList());
            LiveRoutes liveRoutes = new LiveRoutes(camelContext, gate, staleHttpMappings, properties.reload().maxSwapWait());
            return new RoutesReloader(properties, validator, liveRoutes, health, registry);
        }
    }
}
