package com.wechathub.accounts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.Profiles;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.util.StringUtils;

/**
 * The configuration files on disk that the hub started with ({@code ./application.yaml}, a
 * {@code spring.config.location} or {@code additional-location} file, …), and how the environment
 * would look with their current content: each file's documents are replaced by what the file says
 * now, in the same place among the other sources, so command-line arguments, system properties and
 * environment variables keep their precedence over the file.
 *
 * <p>Only files the environment already holds are read again; a file found nowhere at start-up is
 * not picked up. A document is active as Spring Boot decides at start-up: no
 * {@code spring.config.activate.on-profile}, or one the active profiles match.
 */
final class ConfigFiles {

    private static final String ON_PROFILE = "spring.config.activate.on-profile";

    private final ConfigurableEnvironment environment;
    private final List<Path> files;

    ConfigFiles(ConfigurableEnvironment environment) {
        this.environment = environment;
        this.files = List.copyOf(filesOf(environment.getPropertySources()).keySet());
    }

    /** The YAML files the hub's configuration came from, in no particular order. */
    List<Path> files() {
        return files;
    }

    /** Each file's bytes now (empty for a missing one), to tell when one changed. */
    Map<Path, String> read() {
        Map<Path, String> contents = new LinkedHashMap<>();
        for (Path file : files) {
            try {
                contents.put(file, Files.exists(file) ? Files.readString(file) : "");
            } catch (IOException e) {
                throw new UncheckedIOException("Could not read " + file, e);
            }
        }
        return contents;
    }

    /**
     * The environment's sources with each file's documents as the file is now.
     *
     * @throws IllegalStateException naming the file when one does not parse (the message of
     *                               SnakeYAML names the line and column)
     */
    MutablePropertySources reload() {
        MutablePropertySources current = environment.getPropertySources();
        Map<Path, List<String>> owned = filesOf(current);
        MutablePropertySources next = new MutablePropertySources();
        Set<Path> placed = new LinkedHashSet<>();
        for (PropertySource<?> source : current) {
            if (ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)) {
                continue; // a view of the sources as they were: it would hide the files' new values
            }
            Path file = fileOf(source);
            if (file == null || !owned.containsKey(file)) {
                next.addLast(source);
            } else if (placed.add(file)) {
                // Later documents of a file outrank earlier ones, as at start-up.
                List<PropertySource<?>> documents = new ArrayList<>(activeDocuments(file));
                java.util.Collections.reverse(documents);
                documents.forEach(next::addLast);
            }
        }
        return next;
    }

    private List<PropertySource<?>> activeDocuments(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        Resource resource = new FileSystemResource(file);
        List<PropertySource<?>> documents;
        try {
            documents = new YamlPropertySourceLoader().load("Config resource 'file [" + file + "]' (reloaded)", resource);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(file + " does not parse: " + e.getMessage(), e);
        }
        List<PropertySource<?>> active = new ArrayList<>();
        for (PropertySource<?> document : documents) {
            Object onProfile = document.getProperty(ON_PROFILE);
            if (onProfile == null || activeFor(onProfile.toString())) {
                active.add(document);
            }
        }
        return active;
    }

    private boolean activeFor(String expression) {
        String[] profiles = StringUtils.commaDelimitedListToStringArray(expression.strip());
        Profiles wanted = Profiles.of(java.util.Arrays.stream(profiles).map(String::strip).toArray(String[]::new));
        String[] active = environment.getActiveProfiles();
        return active.length > 0 ? environment.acceptsProfiles(wanted)
                : wanted.matches(name -> List.of(environment.getDefaultProfiles()).contains(name));
    }

    /** The file each config-file source came from, found through the origin of any of its values. */
    private static Map<Path, List<String>> filesOf(MutablePropertySources sources) {
        Map<Path, List<String>> files = new LinkedHashMap<>();
        for (PropertySource<?> source : sources) {
            Path file = fileOf(source);
            if (file != null) {
                files.computeIfAbsent(file, f -> new ArrayList<>()).add(source.getName());
            }
        }
        return files;
    }

    private static Path fileOf(PropertySource<?> source) {
        if (!(source instanceof OriginTrackedMapPropertySource tracked)) {
            return null;
        }
        for (String name : tracked.getPropertyNames()) {
            Origin origin = tracked.getOrigin(name);
            if (origin instanceof TextResourceOrigin text && text.getResource() != null) {
                Resource resource = text.getResource();
                if (resource.isFile() && !(resource instanceof org.springframework.core.io.ClassPathResource)) {
                    try {
                        return resource.getFile().toPath().toAbsolutePath().normalize();
                    } catch (IOException e) {
                        return null;
                    }
                }
            }
            return null;
        }
        return null;
    }
}
