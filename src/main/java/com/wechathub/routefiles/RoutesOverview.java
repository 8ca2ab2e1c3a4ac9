package com.wechathub.routefiles;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * GET /admin/routes: the route files the hub runs, each with its routes and their status, and
 * the outcome of the last live reload — for a rejected edit every problem as file:line: message —
 * the same the {@code routes} health component says, for the console — and the same for the
 * accounts of the configuration file (the {@code accounts} health component).
 */
@Component("adminRoutes")
class RoutesOverview {

    private final CamelContext camelContext;
    private final RoutesProperties properties;
    private final ObjectProvider<RoutesHealthIndicator> health;
    private final ObjectMapper json;
    private final HealthIndicator accounts;

    RoutesOverview(CamelContext camelContext, RoutesProperties properties, ObjectProvider<RoutesHealthIndicator> health,
                   ObjectMapper json, @Qualifier("accounts") HealthIndicator accounts) {
        this.camelContext = camelContext;
        this.properties = properties;
        this.health = health;
        this.json = json;
        this.accounts = accounts;
    }

    public String overview(org.apache.camel.Exchange exchange) throws JsonProcessingException {
        Map<String, List<Map<String, Object>>> files = new TreeMap<>();
        Model model = camelContext.getCamelContextExtension().getContextPlugin(Model.class);
        for (RouteDefinition route : model.getRouteDefinitions()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", route.getRouteId());
            entry.put("kind", "route");
            entry.put("from", route.getInput() == null ? null : route.getInput().getEndpointUri());
            ServiceStatus status = camelContext.getRouteController().getRouteStatus(route.getRouteId());
            entry.put("status", status == null ? "Unknown" : status.name());
            files.computeIfAbsent(fileName(route.getResource(), route.getRouteId()), f -> new ArrayList<>()).add(entry);
        }
        for (RouteConfigurationDefinition configuration : model.getRouteConfigurationDefinitions()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", configuration.getId());
            entry.put("kind", "routeConfiguration");
            // Camel does not keep the source of every route configuration; its id is the file name (validated)
            files.computeIfAbsent(fileName(configuration.getResource(), configuration.getId()), f -> new ArrayList<>()).add(entry);
        }
        List<Map<String, Object>> loaded = new ArrayList<>();
        files.forEach((file, routes) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("file", file);
            entry.put("routes", routes);
            loaded.add(entry);
        });
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("folder", properties.dir().toString());
        RoutesHealthIndicator reload = health.getIfAvailable();
        answer.put("liveReload", reload != null);
        answer.put("lastReload", reload != null ? reload.health().getDetails() : Map.of("lastReload", "off"));
        answer.put("files", loaded);
        // The other half of what operators edit live: wechat.accounts in application.yaml.
        answer.put("accounts", accounts.health().getDetails());
        exchange.getMessage().setHeader(org.apache.camel.Exchange.CONTENT_TYPE, "application/json");
        return json.writeValueAsString(answer);
    }

    private static String fileName(Resource resource, String id) {
        if (resource == null || resource.getLocation() == null) {
            return id + RouteFile.SUFFIX;
        }
        String location = resource.getLocation();
        int slash = Math.max(location.lastIndexOf('/'), Math.max(location.lastIndexOf('\\'), location.lastIndexOf(':')));
        return location.substring(slash + 1);
    }
}
