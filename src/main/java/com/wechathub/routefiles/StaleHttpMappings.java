package com.wechathub.routefiles;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumerAware;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * platform-http on Spring Boot maps a route's path to its consumer when the route starts, but
 * never takes the mapping away (CamelRequestHandlerMapping.unregisterHttpEndpoint does nothing in
 * 4.17): after a route is removed its path still leads to its stopped consumer, which answers
 * 500. After a swap, this removes every mapping whose consumer no longer belongs to a route, so
 * a removed path answers 404 like any unknown one. A replaced route's path was already mapped to
 * the new consumer when it started.
 */
final class StaleHttpMappings {

    private final List<RequestMappingHandlerMapping> handlerMappings;

    StaleHttpMappings(List<RequestMappingHandlerMapping> handlerMappings) {
        this.handlerMappings = handlerMappings;
    }

    void remove(CamelContext camelContext) {
        Set<Consumer> live = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Route route : camelContext.getRoutes()) {
            Consumer consumer = route.getConsumer();
            if (consumer != null) {
                live.add(consumer);
            }
            // the consumer Spring maps the path to is the one platform-http's route consumer delegates to
            if (consumer instanceof PlatformHttpConsumerAware aware && aware.getPlatformHttpConsumer() != null) {
                live.add(aware.getPlatformHttpConsumer());
            }
        }
        for (RequestMappingHandlerMapping handlerMapping : handlerMappings) {
            for (Map.Entry<RequestMappingInfo, HandlerMethod> mapping : Map.copyOf(handlerMapping.getHandlerMethods()).entrySet()) {
                if (mapping.getValue().getBean() instanceof Consumer consumer && !live.contains(consumer)) {
                    handlerMapping.unregisterMapping(mapping.getKey());
                }
            }
        }
    }
}
