package com.wechathub.routefiles;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Whether the route serving WeChat's callback URL has started. Spring Boot's web server accepts
 * connections before Camel starts the routes (seconds, on a busy machine): a push arriving then
 * would find no route and get 404, which WeChat counts as a failed push. Until the callback route
 * has started, {@link #filter()} answers every {@code /wechat/*} request 503 (WeChat retries), and
 * the {@code callback} health component, part of the readiness group, is DOWN. Once started, it
 * stays so: a live reload swaps the route behind {@link RouteSwapGate}.
 */
final class CallbackReadiness implements HealthIndicator {

    private final CamelContext camelContext;
    private volatile boolean serving;

    CallbackReadiness(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    boolean serving() {
        if (!serving) {
            for (Route route : camelContext.getRoutes()) {
                if (route.getEndpoint() instanceof PlatformHttpEndpoint http && RouteFolderCheck.CALLBACK_PATH.equals(http.getPath())
                        && camelContext.getRouteController().getRouteStatus(route.getRouteId()) == ServiceStatus.Started) {
                    serving = true;
                }
            }
        }
        return serving;
    }

    @Override
    public Health health() {
        return serving()
                ? Health.up().withDetail("serving", RouteFolderCheck.CALLBACK_PATH).build()
                : Health.down().withDetail("serving", "not yet: the route of " + RouteFolderCheck.CALLBACK_PATH + " has not started").build();
    }

    /** 503 for /wechat/* until the callback route has started. */
    OncePerRequestFilter filter() {
        return new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                if (serving()) {
                    chain.doFilter(request, response);
                    return;
                }
                response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
                response.setHeader("Retry-After", "1");
                response.setContentType("text/plain;charset=UTF-8");
                response.getOutputStream().write("starting: not serving pushes yet, retry later".getBytes(StandardCharsets.UTF_8));
            }
        };
    }
}
