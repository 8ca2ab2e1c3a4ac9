package com.wechathub;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Actuator's own port listens on 127.0.0.1 unless {@code management.server.address} says
 * otherwise (docs/security.md): health with every detail, metrics and Prometheus are for this machine (or
 * a proxy on it), never for whoever reaches the host. Set as a default rather than in
 * application.yaml because Spring Boot refuses any management address when Actuator shares the
 * callback port ({@code --management.server.port=8080} on a closed network); then there is no
 * port of its own to bind, and nothing is set.
 */
class ManagementOnLoopback implements EnvironmentPostProcessor, Ordered {

    static final String ADDRESS = "management.server.address";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.containsProperty(ADDRESS) && ManagementPortType.get(environment) == ManagementPortType.DIFFERENT) {
            environment.getPropertySources().addLast(new MapPropertySource("hubManagementOnLoopback", Map.of(ADDRESS, "127.0.0.1")));
        }
    }

    /** After application.yaml and the command line are read. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
