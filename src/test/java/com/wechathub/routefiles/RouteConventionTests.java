package com.wechathub.routefiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;
import org.yaml.snakeyaml.Yaml;

/** The conventions of routes/ (STYLE.md), checked rather than hoped for. */
class RouteConventionTests {

    static final Path ROUTES = Path.of("routes");
    /** {{key}}, {{key:default}}, or {{millis:key}} (MillisPropertiesFunction): the key is group 1. */
    static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(?:millis:)?([^}:]+)(?::[^}]*)?}}");
    static final Pattern STEP_ID = Pattern.compile("^\\s+(?:- )?id: ([\\w-]+)\\s*$", Pattern.MULTILINE);

    record RouteFile(Path path, String name, Map<String, Object> definition, String kind, String text) {

        @SuppressWarnings("unchecked")
        String fromUri() {
            return (String) ((Map<String, Object>) definition.get("from")).get("uri");
        }
    }

    static List<RouteFile> routeFiles() throws IOException {
        List<RouteFile> files = new ArrayList<>();
        try (Stream<Path> paths = Files.list(ROUTES)) {
            for (Path path : paths.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().toList()) {
                String text = Files.readString(path);
                List<Map<String, Object>> items = new Yaml().load(text);
                assertThat(items).as("%s holds exactly one route or route configuration", path).hasSize(1);
                String kind = items.get(0).keySet().iterator().next();
                @SuppressWarnings("unchecked")
                Map<String, Object> definition = (Map<String, Object>) items.get(0).get(kind);
                files.add(new RouteFile(path, path.getFileName().toString().replace(".camel.yaml", ""), definition, kind, text));
            }
        }
        return files;
    }

    @Test
    void fileNameIdAndDirectNameAgree() throws IOException {
        for (RouteFile file : routeFiles()) {
            assertThat(file.definition().get("id")).as("id in %s", file.path()).isEqualTo(file.name());
            if (file.kind().equals("route") && file.fromUri().startsWith("direct:")) {
                assertThat(file.fromUri()).as("direct name in %s", file.path()).isEqualTo("direct:" + file.name());
            }
        }
    }

    @Test
    void everyStepIdIsUniqueAcrossAllRoutes() throws IOException {
        Set<String> seen = new HashSet<>();
        for (RouteFile file : routeFiles()) {
            Matcher ids = STEP_ID.matcher(file.text());
            while (ids.find()) {
                assertThat(seen.add(ids.group(1))).as("id %s in %s is used elsewhere too", ids.group(1), file.path()).isTrue();
            }
        }
    }

    @Test
    void everyRouteIsOnASharedErrorConfiguration() throws IOException {
        for (RouteFile file : routeFiles()) {
            if (!file.kind().equals("route") || file.name().equals("wechat-dispatch")) {
                continue; // the dispatcher catches and records each event's failure itself
            }
            boolean answersWechat = file.fromUri().startsWith("platform-http:") || Set.of("wechat-push", "wechat-reply").contains(file.name());
            String expected = answersWechat ? "wechat-errors" : "wechat-dispatch-errors";
            assertThat(file.definition().get("routeConfigurationId")).as("error configuration of %s", file.path()).isEqualTo(expected);
        }
    }

    @Test
    void everyDirectEndpointCalledHasARoute() throws IOException {
        List<RouteFile> files = routeFiles();
        Set<String> consumers = new HashSet<>();
        files.stream().filter(f -> f.kind().equals("route")).forEach(f -> consumers.add(f.fromUri()));
        Matcher calls = Pattern.compile("uri: (direct:[\\w-]+)").matcher(String.join("\n", files.stream().map(RouteFile::text).toList()));
        while (calls.find()) {
            assertThat(consumers).as("a route consumes %s", calls.group(1)).contains(calls.group(1));
        }
    }

    @Test
    void everyPlaceholderIsDefinedInApplicationYaml() throws IOException {
        List<PropertySource<?>> sources = new YamlPropertySourceLoader().load("application", new FileSystemResource("application.yaml"));
        for (RouteFile file : routeFiles()) {
            Matcher placeholders = PLACEHOLDER.matcher(file.text());
            while (placeholders.find()) {
                String key = placeholders.group(1);
                assertThat(sources.get(0).containsProperty(key)).as("%s in %s is defined in application.yaml", key, file.path()).isTrue();
            }
        }
    }
}
