package com.wechathub.routefiles;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The {@code routes} component of /actuator/health: the outcome of the last live reload.
 *
 * <p>A rejected edit does not make the hub DOWN, on purpose: the routes that were running before
 * the edit are still running and still answering WeChat, so the hub is healthy. Reporting DOWN
 * would make a load balancer or Kubernetes take a serving hub out of rotation (or restart it, which
 * would then load the broken file and really fail). The rejection is in the details — file, line,
 * error — and in the {@code hub.routes.reloads{outcome="rejected"}} counter, which is what to alert on.
 */
final class RoutesHealthIndicator implements HealthIndicator {

    private final Clock clock;
    private volatile Map<String, Object> details;

    RoutesHealthIndicator(Clock clock) {
        this.clock = clock;
        this.details = Map.of("lastReload", "none");
    }

    void applied(LiveRoutes.Changes changes) {
        Map<String, Object> next = started("applied");
        next.put("files", changes.files());
        details = next;
    }

    void rejected(List<String> files, List<RouteProblem> problems) {
        Map<String, Object> next = started("rejected");
        next.put("files", files);
        RouteProblem first = problems.get(0);
        next.put("file", first.file());
        if (first.line() > 0) {
            next.put("line", first.line());
        }
        next.put("error", first.message());
        next.put("problems", problems.stream().map(RouteProblem::toString).toList());
        next.put("running", "the routes from before the edit");
        details = next;
    }

    /** The folder is back to what is running (a rejected edit was undone): nothing is pending. */
    void reverted() {
        Map<String, Object> next = started("reverted");
        next.put("running", "the routes the files describe");
        details = next;
    }

    private Map<String, Object> started(String outcome) {
        Map<String, Object> next = new LinkedHashMap<>();
        next.put("lastReload", outcome);
        next.put("at", Instant.now(clock).toString());
        return next;
    }

    @Override
    public Health health() {
        return Health.up().withDetails(details).build();
    }
}
