package com.wechathub.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthContributorRegistry;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The inbox as Prometheus sees it (deploy/grafana, deploy/prometheus): {@code hub_inbox_backlog},
 * events waiting to be dispatched (pending or claimed); {@code hub_inbox_dead}, events dispatch gave
 * up on, waiting for an operator; {@code hub_inbox_up}, 1 while the {@code inbox} health component
 * says the hub can record a push, else 0.
 *
 * <p>A scrape never touches the database: one thread of this class counts and probes every
 * {@link #SAMPLE_EVERY_MS} ms, and the gauges answer the last figures. So however often, and from
 * however many Prometheus servers, the hub is scraped, the inbox is read at most once per period,
 * and a scrape is never held up by a slow database. A count that fails leaves the backlog and dead
 * gauges at NaN (unknown), not at a reassuring 0.
 */
@Component
class InboxGauges implements DisposableBean {

    static final long SAMPLE_EVERY_MS = 5_000;

    private static final Logger log = LoggerFactory.getLogger(InboxGauges.class);

    private final JdbcTemplate jdbc;
    private final ObjectProvider<HealthContributorRegistry> health;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "inbox-gauges");
        thread.setDaemon(true);
        return thread;
    });
    private volatile double backlog = Double.NaN;
    private volatile double dead = Double.NaN;
    private volatile double up = Double.NaN;

    InboxGauges(JdbcTemplate jdbc, ObjectProvider<HealthContributorRegistry> health, MeterRegistry registry) {
        this.jdbc = jdbc;
        this.health = health;
        Gauge.builder("hub.inbox.backlog", this, g -> g.backlog)
                .description("Events waiting to be dispatched (pending or claimed), counted every 5 s").register(registry);
        Gauge.builder("hub.inbox.dead", this, g -> g.dead)
                .description("Dead events (dispatch gave up; replay them from the operator API), counted every 5 s").register(registry);
        Gauge.builder("hub.inbox.up", this, g -> g.up)
                .description("1 while the hub can record a push in the inbox (health component inbox), else 0").register(registry);
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        sampler.scheduleWithFixedDelay(this::sample, 0, SAMPLE_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void destroy() {
        sampler.shutdownNow();
    }

    void sample() {
        try {
            double[] counts = {0, 0};
            jdbc.query("SELECT status, COUNT(*) FROM wechat_event WHERE status IN ('pending', 'claimed', 'dead') GROUP BY status",
                    row -> {
                        counts["dead".equals(row.getString(1)) ? 1 : 0] += row.getLong(2);
                    });
            backlog = counts[0];
            dead = counts[1];
        } catch (DataAccessException e) {
            log.debug("Could not count the inbox for its gauges: {}", e.getMessage());
            backlog = Double.NaN;
            dead = Double.NaN;
        }
        up = inboxUp();
    }

    private double inboxUp() {
        HealthContributorRegistry registry = health.getIfAvailable();
        HealthContributor inbox = registry == null ? null : registry.getContributor("inbox");
        if (!(inbox instanceof HealthIndicator indicator)) {
            return Double.NaN;
        }
        try {
            return Status.UP.equals(indicator.health().getStatus()) ? 1 : 0;
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
