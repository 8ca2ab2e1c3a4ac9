package com.wechathub.routefiles;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "routes-reload");
        thread.setDaemon(true);
        return thread;
    });

    // Only ever touched on the watcher thread.
    private Map<String, RouteFile> running;
    private Map<String, RouteFile> settled;
    private boolean settling;
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
        watcher.execute(() -> {
            running = read();
            settled = running;
            RouteSchema.preload();
            log.info("Watching {} for route changes; an edit is applied only if all route files are valid", dir.toAbsolutePath());
        });
        long every = settings.pollInterval().toMillis();
        watcher.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void destroy() {
        watcher.shutdownNow();
    }

    private void poll() {
        try {
            if (settling) {
                return;
            }
            Map<String, RouteFile> seen = read();
            if (!seen.equals(settled)) {
                settling = true;
                watcher.schedule(() -> settle(seen), settings.settle().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            log.warn("Could not read the route files in {}: {}", dir, e.toString());
        }
    }

    /** Takes the folder as it is once it has not changed for the settle time. */
    private void settle(Map<String, RouteFile> seen) {
        try {
            Map<String, RouteFile> now = read();
            if (!now.equals(seen)) {
                watcher.schedule(() -> settle(now), settings.settle().toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            settling = false;
            settled = now;
            if (now.values().stream().anyMatch(file -> file.text().isBlank())) {
                log.debug("A route file in {} is empty, probably being saved; waiting for the next change", dir);
                return;
            }
            reload(now);
        } catch (RuntimeException e) {
            settling = false;
            log.warn("Could not read the route files in {}: {}", dir, e.toString());
        } catch (Error e) {
            // A task of a scheduled executor that throws is dropped without a word, and with
            // settling still true the watcher would never look at the folder again.
            settling = false;
            log.error("Reading or applying the route files in {} failed; watching goes on", dir, e);
        }
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

    private Map<String, RouteFile> read() {
        try {
            Map<String, RouteFile> files = new LinkedHashMap<>();
            for (RouteFile file : RouteFile.readAll(dir)) {
                files.put(file.fileName(), file);
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
