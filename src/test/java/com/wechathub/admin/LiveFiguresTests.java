package com.wechathub.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The console's live p99 and rates: the difference of two samples of cumulative meters. */
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

    static TreeMap<Double, Double> buckets(double upTo10ms, double upTo20ms, double upTo1s) {
        TreeMap<Double, Double> buckets = new TreeMap<>();
        buckets.put(10 * MS, upTo10ms);
        buckets.put(20 * MS, upTo20ms);
        buckets.put(1000 * MS, upTo1s);
        return buckets;
    }
}
