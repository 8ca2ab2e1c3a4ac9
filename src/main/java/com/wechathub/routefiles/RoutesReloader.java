package com.wechathub.routefiles;

import com.wechathub.filewatch.SettledFiles;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * Watches the routes folder and applies an edit to the running routes only after the whole new
 * set of files has been validated (see {@link RouteValidator}). A broken edit changes nothing:
 * the running routes keep serving; it is logged (WARN, with file and line), shown on
 * /actuator/health under {@code routes}, and counted in {@code hub.routes.reloads{outcome="rejected"}}.
 * The next valid edit applies.
 *
 * <p>The folder is read every {@code hub.routes.reload.poll-interval}; a change is taken only once
 * it has stayed the same for {@code hub.routes.reload.settle}, so a save that spans several writes
 * is read whole. An empty file is a save in progress (editors truncate, then write): it is
 * "not yet", and the next change is waited for.
 */
final class RoutesReloader implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RoutesReloader.class);

    private final Path dir;
    private final RoutesProperties.Reload settings;
    private final RouteValidator validator;
    private final LiveRoutes liveRoutes;
    private final RoutesHealthIndicator health;
    private final Counter applied;
    private final Counter rejected;
    private final SettledFiles<String> watch;

    // Only ever touched on the watch's thread.
    private Map<String, RouteFile> running;
    private boolean rejectedPending;

    RoutesReloader(RoutesProperties properties, RouteValidator validator, LiveRoutes liveRoutes,
                   RoutesHealthIndicator health, MeterRegistry registry) {
        this.dir = properties.dir();
        this.settings = properties.reload();
        this.validator = validator;
        this.liveRoutes = liveRoutes;
        this.health = health;
        this.applied = reloads(registry, "applied");
        this.rejected = reloads(registry, "rejected");
        this.watch = new SettledFiles<>("routes-reload", "the route files in " + dir, this::texts,
                texts -> reload(routeFiles(texts)), settings.settle());
    }

    private static Counter reloads(MeterRegistry registry, String outcome) {
        return Counter.builder("hub.routes.reloads")
                .description("Live reloads of the route files: applied, or rejected because the new files are not valid")
                .tag("outcome", outcome)
                .register(registry);
    }

    /** Camel has loaded the folder by now: that is what runs. */
    @EventListener(ApplicationReadyEvent.class)
    public void startWatching() {
        watch.start(() -> {
            running = routeFiles(texts());
            log.info("Watching {} for route changes; an edit is applied only if all route files are valid", dir.toAbsolutePath());
        }, settings.pollInterval());
    }

    @Override
    public void destroy() {
        watch.close();
    }

    private void reload(Map<String, RouteFile> next) {
        LiveRoutes.Changes changes = LiveRoutes.Changes.between(running, next);
        if (changes.isEmpty()) {
            if (rejectedPending) {
                rejectedPending = false;
                health.reverted();
                log.info("The route files in {} are back to the running routes", dir);
            }
            return;
        }
        List<RouteProblem> problems;
        try {
            problems = validator.validate(List.copyOf(next.values()));
        } catch (RuntimeException e) {
            log.warn("The route files could not be validated; nothing was changed", e);
            problems = List.of(new RouteProblem(dir.resolve(changes.files().get(0)).toString(), 0, "could not be validated: " + e));
        }
        if (!problems.isEmpty()) {
            reject(changes, problems);
            return;
        }
        try {
            liveRoutes.apply(running, next);
        } catch (Exception e) {
            log.warn("Valid route files could not be applied to the running routes; the previous ones were put back", e);
            reject(changes, List.of(new RouteProblem(dir.resolve(changes.files().get(0)).toString(), 0,
                    "could not be applied, the previous routes were put back: " + e.getMessage())));
            return;
        }
        running = next;
        rejectedPending = false;
        applied.increment();
        health.applied(changes);
        log.info("Reloaded routes from {}: {}", dir, changes);
    }

    private void reject(LiveRoutes.Changes changes, List<RouteProblem> problems) {
        rejectedPending = true;
        rejected.increment();
        health.rejected(changes.files(), problems);
        for (RouteProblem problem : problems) {
            log.warn("Route edit rejected, the running routes stay as they were: {}", problem);
        }
    }

    /** Each route file's text, by file name. */
    private Map<String, String> texts() {
        try {
            Map<String, String> texts = new LinkedHashMap<>();
            for (RouteFile file : RouteFile.readAll(dir)) {
                texts.put(file.fileName(), file.text());
            }
            return texts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, RouteFile> routeFiles(Map<String, String> texts) {
        Map<String, RouteFile> files = new LinkedHashMap<>();
        texts.forEach((name, text) -> files.put(name, RouteFile.of(dir, name, text)));
        return files;
    }
}
