package com.wechathub.routefiles;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.NoSuchBeanException;
import org.apache.camel.NoSuchEndpointException;
import org.apache.camel.Producer;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.RouteConfigurationsBuilder;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.StartupSummaryLevel;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteDefinitionHelper;
import org.apache.camel.reifier.RouteReifier;
import org.apache.camel.spi.BeanRepository;
import org.apache.camel.spi.PropertiesSource;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.RoutesBuilderLoader;
import org.apache.camel.support.DefaultRegistry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * Builds each route the way Camel does at start-up — endpoints resolved, {{placeholders}}
 * replaced, beans looked up — in a scratch CamelContext that is never started, so nothing
 * consumes, listens or sends. The scratch context sees the running application's beans and
 * properties, but not its Camel components, which stay bound to the running context.
 */
final class RouteLoadCheck {

    private static final Pattern MISSING_PROPERTY = Pattern.compile("Property with key \\[([^]]+)]");

    private final CamelContext live;

    RouteLoadCheck(CamelContext live) {
        this.live = live;
    }

    List<RouteProblem> check(List<RouteFileChecks.Parsed> files) {
        List<RouteProblem> problems = new ArrayList<>();
        DefaultCamelContext scratch = scratchContext();
        try {
            Set<String> configurations = new HashSet<>();
            for (RouteFileChecks.Parsed file : files) {
                if (!file.isRoute()) {
                    try {
                        for (RoutesBuilder builder : builders(scratch, file.file())) {
                            if (builder instanceof RouteConfigurationsBuilder configuration) {
                                scratch.addRoutesConfigurations(configuration);
                            }
                        }
                        configurations.add(file.id());
                    } catch (Exception e) {
                        problems.add(problem(file.file(), e));
                    }
                }
            }
            for (RouteFileChecks.Parsed file : files) {
                if (file.isRoute() && configurations.containsAll(file.routeConfigurationIds())) {
                    try {
                        for (RoutesBuilder builder : builders(scratch, file.file())) {
                            scratch.addRoutes(builder);
                        }
                        RouteDefinition route = scratch.getRouteDefinition(file.id());
                        RouteDefinitionHelper.prepareRoute(scratch, route);
                        route.markPrepared();
                        new RouteReifier(scratch, route).createRoute();
                    } catch (Exception e) {
                        problems.add(problem(file.file(), e));
                    }
                }
            }
        } finally {
            scratch.stop(); // it never started: this only releases what building the routes created
        }
        return problems;
    }

    private DefaultCamelContext scratchContext() {
        DefaultCamelContext scratch = new DefaultCamelContext(new DefaultRegistry(new LiveBeans(live.getRegistry())));
        scratch.getCamelContextExtension().setName(live.getName() + "-route-check");
        scratch.setAutoStartup(false);
        scratch.setStartupSummaryLevel(StartupSummaryLevel.Off); // no "shutdown in 0ms" line per reload
        scratch.getPropertiesComponent().addPropertiesSource(new LiveProperties(live));
        return scratch;
    }

    private static Collection<RoutesBuilder> builders(CamelContext scratch, RouteFile file) throws Exception {
        return PluginHelper.getRoutesLoader(scratch).findRoutesBuilders(ResourceHelper.fromString(file.camelLocation(), file.text()));
    }

    /** Camel's reason, at the line of what it names: the endpoint, the bean or the placeholder. */
    static RouteProblem problem(RouteFile file, Exception e) {
        List<String> named = new ArrayList<>();
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            root = t;
            String name = named(t);
            if (name != null) {
                named.add(0, name); // the innermost cause names the most precise thing
            }
        }
        String reason = root.getMessage() != null ? root.getMessage() : root.toString();
        int line = named.stream().mapToInt(name -> lineOf(file.text(), name)).filter(l -> l > 0).findFirst().orElse(0);
        return RouteProblem.at(file, line, "Camel cannot build it: " + oneLine(reason));
    }

    private static String named(Throwable t) {
        if (t instanceof ResolveEndpointFailedException endpoint) {
            return endpoint.getUri();
        }
        if (t instanceof NoSuchEndpointException endpoint) {
            return endpoint.getUri();
        }
        if (t instanceof NoSuchBeanException bean) {
            return bean.getName();
        }
        Matcher property = MISSING_PROPERTY.matcher(String.valueOf(t.getMessage()));
        return property.find() ? "{{" + property.group(1) : null;
    }

    static int lineOf(String text, String needle) {
        if (needle == null) {
            return 0;
        }
        String[] lines = text.split("\n", -1);
        for (String candidate : List.of(needle, needle.replace("://", ":"), needle.split("[:?]", 2)[0] + ":")) {
            for (int i = 0; i < lines.length; i++) {
                if (!lines[i].trim().startsWith("#") && lines[i].contains(candidate)) {
                    return i + 1;
                }
            }
        }
        return 0;
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ").trim();
    }

    /** The running application's beans, minus Camel's own machinery, which must stay bound to the running context. */
    private record LiveBeans(Registry live) implements BeanRepository {

        private static final List<Class<?>> HIDDEN = List.of(Component.class, Endpoint.class, CamelContext.class,
                Consumer.class, Producer.class, RoutesBuilder.class, RoutesBuilderLoader.class);

        private static boolean hidden(Class<?> type) {
            return HIDDEN.stream().anyMatch(h -> h.isAssignableFrom(type));
        }

        private static <T> T visible(T bean) {
            return bean == null || HIDDEN.stream().anyMatch(h -> h.isInstance(bean)) ? null : bean;
        }

        @Override
        public Object lookupByName(String name) {
            return visible(live.lookupByName(name));
        }

        @Override
        public <T> T lookupByNameAndType(String name, Class<T> type) {
            return hidden(type) ? null : visible(live.lookupByNameAndType(name, type));
        }

        @Override
        public <T> Map<String, T> findByTypeWithName(Class<T> type) {
            if (hidden(type)) {
                return Map.of();
            }
            Map<String, T> found = new LinkedHashMap<>(live.findByTypeWithName(type));
            found.values().removeIf(bean -> visible(bean) == null);
            return found;
        }

        @Override
        public <T> Set<T> findByType(Class<T> type) {
            return new HashSet<>(findByTypeWithName(type).values());
        }
    }

    /** {{placeholders}} resolve as in the running application: application.yaml, profiles, --key=value. */
    private record LiveProperties(CamelContext live) implements PropertiesSource {

        @Override
        public String getName() {
            return "running application";
        }

        @Override
        public String getProperty(String name) {
            return live.getPropertiesComponent().resolveProperty(name).orElse(null);
        }
    }
}
