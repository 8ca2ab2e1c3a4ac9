package com.wechathub.routefiles;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.RouteConfigurationsBuilder;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.ServiceStatus;
import org.apache.camel.Suspendable;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a validated set of route files to the running CamelContext.
 *
 * <p>Replacing a route means stopping and removing the old one and adding the new one: for a few
 * milliseconds its endpoint has no consumer. A caller of a {@code direct:} endpoint waits for the
 * new consumer (direct's {@code block=true}, {@code timeout} 30 s), but Camel 4.17's DirectProducer
 * is shared by concurrent exchanges and, while one of them waits, another can be sent into the
 * old, stopped route (RejectedExecutionException: a 500 to WeChat). And a platform-http path has
 * no route at all for that moment (404). So routes are swapped with nothing in flight: routes fed
 * by neither HTTP nor direct: (the dispatcher's timer) are suspended, HTTP requests are held at
 * the {@link RouteSwapGate}, the exchanges in flight finish, the routes are replaced, and the
 * gate opens — requests wait milliseconds, none is dropped.
 *
 * <p>Order: changed route configurations first (outside the swap: a configuration is applied
 * when a route is built, so replacing one changes nothing that runs), then, in the swap, the
 * routes of added and changed files, the unchanged routes built with a changed configuration,
 * and the routes of removed files; removed configurations last. If a step fails, what was done
 * is put back as it was.
 */
final class LiveRoutes {

    private static final Logger log = LoggerFactory.getLogger(LiveRoutes.class);

    private final CamelContext camelContext;
    private final RouteSwapGate gate;
    private final StaleHttpMappings staleHttpMappings;
    private final Duration drainTimeout;

    LiveRoutes(CamelContext camelContext, RouteSwapGate gate, StaleHttpMappings staleHttpMappings, Duration drainTimeout) {
        this.camelContext = camelContext;
        this.gate = gate;
        this.staleHttpMappings = staleHttpMappings;
        this.drainTimeout = drainTimeout;
    }

    /** Which files differ between two sets, by file name. */
    record Changes(Set<String> added, Set<String> changed, Set<String> removed) {

        static Changes between(Map<String, RouteFile> running, Map<String, RouteFile> next) {
            Set<String> added = new TreeSet<>(next.keySet());
            added.removeAll(running.keySet());
            Set<String> removed = new TreeSet<>(running.keySet());
            removed.removeAll(next.keySet());
            Set<String> changed = new TreeSet<>();
            next.forEach((name, file) -> {
                if (running.containsKey(name) && !running.get(name).text().equals(file.text())) {
                    changed.add(name);
                }
            });
            return new Changes(added, changed, removed);
        }

        boolean isEmpty() {
            return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
        }

        List<String> files() {
            Set<String> all = new TreeSet<>(added);
            all.addAll(changed);
            all.addAll(removed);
            return List.copyOf(all);
        }

        @Override
        public String toString() {
            List<String> parts = new ArrayList<>();
            if (!added.isEmpty()) {
                parts.add("added " + added);
            }
            if (!changed.isEmpty()) {
                parts.add("changed " + changed);
            }
            if (!removed.isEmpty()) {
                parts.add("removed " + removed);
            }
            return String.join(", ", parts);
        }
    }

    /** A file's routes or route configuration, parsed and ready to add; no builders means "remove". */
    private record Parsed(String fileName, boolean configuration, Collection<RoutesBuilder> builders) {
    }

    /** Brings the running routes from the {@code running} files to the {@code next} ones (both keyed by file name). */
    Changes apply(Map<String, RouteFile> running, Map<String, RouteFile> next) throws Exception {
        Changes changes = Changes.between(running, next);
        Plan plan = plan(changes, running, next);
        List<String> done = new ArrayList<>();
        try {
            // A route configuration is applied when a route is built, so replacing one changes
            // nothing that runs: it is done before the swap, and the routes are built against it.
            for (String fileName : plan.configurations()) {
                done.add(fileName);
                replace(parse(fileName, next.get(fileName)));
            }
            List<Parsed> routes = new ArrayList<>();
            for (String fileName : plan.routes()) {
                routes.add(parse(fileName, next.get(fileName)));
            }
            log.info("Replacing the routes of {}", plan.routes());
            swap(() -> {
                for (Parsed route : routes) {
                    done.add(route.fileName());
                    replace(route);
                }
            });
            for (String fileName : plan.removedConfigurations()) {
                done.add(fileName);
                replace(parse(fileName, null));
            }
        } catch (Exception e) {
            restore(done, running, next);
            throw e;
        }
        return changes;
    }

    /** Puts the files already done back as they were: configurations first, so routes are built against them. */
    private void restore(List<String> done, Map<String, RouteFile> running, Map<String, RouteFile> next) {
        List<String> configurations = done.stream().filter(f -> isConfiguration(running.get(f)) || isConfiguration(next.get(f))).toList();
        List<String> routes = new ArrayList<>(done.stream().filter(f -> !configurations.contains(f)).toList());
        Collections.reverse(routes);
        try {
            swap(() -> {
                for (String fileName : configurations) {
                    restore(fileName, running.get(fileName));
                }
                for (String fileName : routes) {
                    restore(fileName, running.get(fileName));
                }
            });
        } catch (Exception e) {
            log.error("Could not restore the routes after a failed reload: {}", e.toString());
        }
    }

    private void restore(String fileName, RouteFile file) {
        try {
            replace(parse(fileName, file));
        } catch (Exception e) {
            log.error("Could not restore the routes of {} after a failed reload: {}", fileName, e.toString());
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Runs the step with nothing in flight and HTTP requests held at the gate (see the class comment). */
    private void swap(Step step) throws Exception {
        List<String> paused = pauseNonHttpEntries();
        long start = System.nanoTime();
        boolean closed = gate.close();
        try {
            if (!closed) {
                log.warn("HTTP requests still being answered after {}; swapping the routes anyway", drainTimeout);
            }
            awaitNothingInFlight();
            step.run();
        } finally {
            staleHttpMappings.remove(camelContext);
            gate.open();
            resume(paused);
            log.info("Routes swapped; HTTP requests were held for {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
    }

    /** The files to replace, in order: configurations, then routes (added, changed, or built with a changed configuration; then removed), then removed configurations. */
    private record Plan(List<String> configurations, List<String> routes, List<String> removedConfigurations) {
    }

    private Plan plan(Changes changes, Map<String, RouteFile> running, Map<String, RouteFile> next) {
        List<String> configurations = new ArrayList<>();
        List<String> removedConfigurations = new ArrayList<>();
        Set<String> routes = new LinkedHashSet<>();
        Set<String> removedRoutes = new LinkedHashSet<>();
        Set<String> touchedConfigurationIds = new TreeSet<>();
        for (String fileName : changes.files()) {
            if (isConfiguration(next.get(fileName)) || isConfiguration(running.get(fileName))) {
                (next.containsKey(fileName) ? configurations : removedConfigurations).add(fileName);
                touchedConfigurationIds.addAll(configurationIds(fileName));
                touchedConfigurationIds.add(RouteFile.nameOf(fileName)); // validated: id = file name
            } else if (next.containsKey(fileName)) {
                routes.add(fileName);
            } else {
                removedRoutes.add(fileName);
            }
        }
        if (!touchedConfigurationIds.isEmpty()) {
            for (RouteDefinition route : List.copyOf(model().getRouteDefinitions())) {
                String fileName = fileName(route.getResource());
                if (fileName != null && next.containsKey(fileName) && !Collections.disjoint(usedConfigurations(route), touchedConfigurationIds)) {
                    routes.add(fileName);
                }
            }
        }
        routes.addAll(removedRoutes);
        return new Plan(configurations, List.copyOf(routes), removedConfigurations);
    }

    /** Parsed before anything stops, to keep the moment without a consumer short. */
    private Parsed parse(String fileName, RouteFile file) throws Exception {
        if (file == null) {
            return new Parsed(fileName, false, List.of());
        }
        Resource resource = ResourceHelper.fromString(file.camelLocation(), file.text());
        Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(camelContext).findRoutesBuilders(resource);
        boolean configuration = isConfiguration(file);
        if (!configuration) {
            for (RoutesBuilder builder : builders) {
                if (builder instanceof RouteBuilder routeBuilder) {
                    routeBuilder.configureRoutes(camelContext);
                }
            }
        }
        return new Parsed(fileName, configuration, builders);
    }

    /** Makes the running routes (or route configuration) of one file those parsed; none removes them. */
    private void replace(Parsed step) throws Exception {
        for (RouteDefinition route : List.copyOf(model().getRouteDefinitions())) {
            if (step.fileName().equals(fileName(route.getResource()))) {
                camelContext.getRouteController().stopRoute(route.getRouteId());
                camelContext.removeRoute(route.getRouteId());
            }
        }
        for (RouteConfigurationDefinition configuration : List.copyOf(model().getRouteConfigurationDefinitions())) {
            if (from(configuration, step.fileName())) {
                model().removeRouteConfiguration(configuration);
            }
        }
        for (RoutesBuilder builder : step.builders()) {
            if (step.configuration() && builder instanceof RouteConfigurationsBuilder configurations) {
                camelContext.addRoutesConfigurations(configurations);
            } else if (!step.configuration()) {
                camelContext.addRoutes(builder);
            }
        }
    }

    /** Suspends the started routes fed by neither HTTP (held at the gate) nor direct: (fed by the others). */
    private List<String> pauseNonHttpEntries() {
        List<String> paused = new ArrayList<>();
        for (Route route : camelContext.getRoutes()) {
            String uri = route.getEndpoint().getEndpointUri();
            boolean entry = !uri.startsWith("direct:") && !uri.startsWith("platform-http:");
            if (entry && route.getConsumer() instanceof Suspendable
                    && camelContext.getRouteController().getRouteStatus(route.getRouteId()) == ServiceStatus.Started) {
                try {
                    camelContext.getRouteController().suspendRoute(route.getRouteId(), drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
                    paused.add(route.getRouteId());
                } catch (Exception e) {
                    log.warn("Could not suspend route {} for the swap: {}", route.getRouteId(), e.toString());
                }
            }
        }
        return paused;
    }

    private void resume(List<String> paused) {
        for (String routeId : paused) {
            try {
                if (camelContext.getRouteController().getRouteStatus(routeId) == ServiceStatus.Suspended) {
                    camelContext.getRouteController().resumeRoute(routeId);
                }
            } catch (Exception e) {
                log.error("Could not resume route {} after the swap: {}", routeId, e.toString());
            }
        }
    }

    private void awaitNothingInFlight() {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (camelContext.getInflightRepository().size() > 0) {
            if (System.nanoTime() > deadline) {
                log.warn("{} exchanges still in flight after {}; swapping the routes anyway", camelContext.getInflightRepository().size(), drainTimeout);
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private Set<String> configurationIds(String fileName) {
        Set<String> ids = new TreeSet<>();
        for (RouteConfigurationDefinition configuration : model().getRouteConfigurationDefinitions()) {
            if (from(configuration, fileName) && configuration.getId() != null) {
                ids.add(configuration.getId());
            }
        }
        return ids;
    }

    private static Set<String> usedConfigurations(RouteDefinition route) {
        Set<String> ids = new TreeSet<>();
        if (route.getAppliedRouteConfigurationIds() != null) {
            ids.addAll(route.getAppliedRouteConfigurationIds());
        }
        if (route.getRouteConfigurationId() != null) {
            for (String id : route.getRouteConfigurationId().split(",")) {
                ids.add(id.trim());
            }
        }
        return ids;
    }

    /** Camel does not keep the source of every route configuration; its id is the file name (validated). */
    private static boolean from(RouteConfigurationDefinition configuration, String fileName) {
        Resource resource = configuration.getResource();
        return resource != null ? fileName.equals(fileName(resource)) : RouteFile.nameOf(fileName).equals(configuration.getId());
    }

    private static boolean isConfiguration(RouteFile file) {
        return file != null && "routeConfiguration".equals(RouteFileChecks.kind(file));
    }

    private static String fileName(Resource resource) {
        if (resource == null || resource.getLocation() == null) {
            return null;
        }
        String location = resource.getLocation();
        int slash = Math.max(location.lastIndexOf('/'), Math.max(location.lastIndexOf('\\'), location.lastIndexOf(':')));
        return location.substring(slash + 1);
    }

    private Model model() {
        return camelContext.getCamelContextExtension().getContextPlugin(Model.class);
    }
}
