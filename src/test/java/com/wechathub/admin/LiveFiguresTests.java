package com.wechathub.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The console's live p99 and rates, now and over the last hour: the difference of two samples of cumulative meters. */
class LiveFiguresTests {

    static final double MS = 1_000_000;

    @Test
    void theP99IsInterpolatedInsideItsBucketOfTheWindowOnly() {
        // before the window: 1,000 slow answers; in it: 98 in (0, 10 ms], 2 in (10, 20 ms]
        LiveFigures.Sample then = new LiveFigures.Sample(0, 0, 0, 1000, buckets(0, 0, 1000));
        LiveFigures.Sample now = new LiveFigures.Sample(60_000, 0, 0, 1100, buckets(98, 100, 1100));
        // rank 99 of 100 falls halfway into the (10, 20] bucket
        assertThat(LiveFigures.quantile(0.99, then, now) / MS).isCloseTo(15, within(0.01));
        assertThat(LiveFigures.quantile(0.5, then, now) / MS).isCloseTo(10 * 50 / 98.0, within(0.01));
        assertThat(LiveFigures.quantile(0.99, now, now)).isNull();
    }

    @Test
    void figuresFollowTheHubsMeters() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter pushes = Counter.builder("wechat.pushes").tag("account", "demo").tag("event", "CLICK").register(registry);
        Timer answers = Timer.builder("wechat.push.answer").tag("status", "200").publishPercentileHistogram().register(registry);
        LiveFigures figures = new LiveFigures(registry, Clock.systemUTC(), new AdminProperties(""));
        LiveFigures.Sample before = figures.sample();
        pushes.increment(30);
        for (int i = 0; i < 100; i++) {
            answers.record(Duration.ofMillis(i < 95 ? 3 : 400));
        }
        LiveFigures.Sample after = figures.sample();
        assertThat(after.pushes() - before.pushes()).isEqualTo(30);
        assertThat(after.answers() - before.answers()).isEqualTo(100);
        double p99 = LiveFigures.quantile(0.99, before, after) / MS;
        assertThat(p99).isGreaterThan(300).isLessThan(500);
        assertThat(LiveFigures.quantile(0.5, before, after) / MS).isLessThan(5);
    }

    @Test
    void theLastHourIsAPointEveryTenSecondsAndAnHourAtMost() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter pushes = Counter.builder("wechat.pushes").tag("account", "demo").tag("event", "CLICK").register(registry);
        Counter done = Counter.builder("wechat.dispatch").tag("event", "CLICK").tag("outcome", "done").register(registry);
        double[] backlog = {7};
        Gauge.builder("hub.inbox.backlog", backlog, b -> b[0]).register(registry);
        AtomicLong now = new AtomicLong(1_767_225_600_000L); // 2026-01-01T00:00:00Z
        Clock clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        };
        LiveFigures figures = new LiveFigures(registry, clock, new AdminProperties("")); // no sampler thread: the test takes the samples
        figures.keepSample();
        pushes.increment(50);
        done.increment(20);
        now.addAndGet(LiveFigures.SAMPLE_EVERY_MS);
        figures.keepSample();
        assertThat(points(figures)).isEmpty();
        now.addAndGet(LiveFigures.SAMPLE_EVERY_MS);
        figures.keepSample();

        List<Map<String, Object>> points = points(figures);
        assertThat(points).hasSize(1);
        assertThat(points.get(0)).containsEntry("at", "2026-01-01T00:00:10Z").containsEntry("pushesPerSecond", 5.0)
                .containsEntry("donePerSecond", 2.0).containsEntry("answerP99Ms", null).containsEntry("backlog", 7L);
        assertThat(figures.lastHour()).containsEntry("everySeconds", 10L).containsEntry("slots", 360);

        backlog[0] = Double.NaN; // the inbox could not be counted
        for (int i = 0; i < 2 * 400; i++) {
            now.addAndGet(LiveFigures.SAMPLE_EVERY_MS);
            figures.keepSample();
        }
        points = points(figures);
        assertThat(points).hasSize(LiveFigures.POINTS);
        assertThat(points.get(points.size() - 1)).containsEntry("at", Instant.ofEpochMilli(now.get()).toString())
                .containsEntry("pushesPerSecond", 0.0).containsEntry("backlog", null);
        assertThat(Instant.parse((String) points.get(0).get("at")))
                .isEqualTo(Instant.ofEpochMilli(now.get()).minusSeconds(10L * (LiveFigures.POINTS - 1)));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> points(LiveFigures figures) {
        return (List<Map<String, Object>>) figures.lastHour().get("points");
    }

    static TreeMap<Double, Double> buckets(double upTo10ms, double upTo20ms, double upTo1s) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        buckets.put(10 * MS, upTo10ms);
        buckets.put(20 * MS, upTo20ms);
        buckets.put(1000 * MS, upTo1s);
        return buckets;
    }
}
