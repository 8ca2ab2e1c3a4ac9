package com.wechathub.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The console's live figures, read from the hub's own meters (not from Actuator, which may be on
 * another port or closed): pushes per second from {@code wechat.pushes}, events done per second
 * from {@code wechat.dispatch}, and the answer's p99 from the {@code wechat.push.answer}
 * histogram, each over the last minute or so. The meters count since start-up, so a sample is
 * kept every few seconds and a figure is the difference between now and the oldest sample of the
 * window — the rate and p99 of that window, as Prometheus' rate() and histogram_quantile() would
 * give. Samples are taken only while the operator API is enabled.
 *
 * <p>The last hour is kept too, in memory on each node: every {@value #POINT_EVERY_MS} ms a point
 * with the same three figures over those seconds and the backlog ({@code hub.inbox.backlog}, the
 * whole inbox's) at its end, {@value #POINTS} points at most. A node's hour starts when it does.
 */
@Component
class LiveFigures implements DisposableBean {

    static final long SAMPLE_EVERY_MS = 5_000;
    static final long WINDOW_MS = 60_000;
    static final long POINT_EVERY_MS = 10_000;
    /** An hour of points. */
    static final int POINTS = 360;

    /** Counts at one moment: accepted pushes, events done, and the answer histogram (bucket ns → cumulative count). */
    record Sample(long at, double pushes, double done, long answers, TreeMap<Double, Double> buckets) {
    }

    /** One point of the last hour: the figures between two samples, the backlog at its end (null: not known). */
    record Point(long at, double pushesPerSecond, double donePerSecond, Double answerP99Ms, Double backlog) {
    }

    private final MeterRegistry registry;
    private final Clock clock;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private final Deque<Point> points = new ArrayDeque<>();
    private Sample pointFrom; // the sample the next point is measured from
    private final ScheduledExecutorService sampler;

    LiveFigures(MeterRegistry registry, Clock clock, AdminProperties admin) {
        this.registry = registry;
        this.clock = clock;
        if (admin.token().isEmpty()) {
            sampler = null;
            return;
        }
        sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "console-figures");
            thread.setDaemon(true);
            return thread;
        });
        sampler.scheduleAtFixedRate(this::keepSample, 0, SAMPLE_EVERY_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void destroy() {
        if (sampler != null) {
            sampler.shutdownNow();
        }
    }

    synchronized void keepSample() {
        Sample sample = sample();
        samples.addLast(sample);
        while (samples.size() > 1 && sample.at() - samples.peekFirst().at() > WINDOW_MS) {
            samples.removeFirst();
        }
        // every other sample, give or take the scheduler's jitter
        if (pointFrom == null) {
            pointFrom = sample;
        } else if (sample.at() - pointFrom.at() >= POINT_EVERY_MS - SAMPLE_EVERY_MS / 2) {
            points.addLast(point(pointFrom, sample));
            while (points.size() > POINTS) {
                points.removeFirst();
            }
            pointFrom = sample;
        }
    }

    private Point point(Sample then, Sample now) {
        double seconds = (now.at() - then.at()) / 1000.0;
        Double p99 = quantile(0.99, then, now);
        return new Point(now.at(), round(Math.max(0, now.pushes() - then.pushes()) / seconds),
                round(Math.max(0, now.done() - then.done()) / seconds), p99 == null ? null : round(p99 / 1_000_000.0), backlog());
    }

    /** The inbox's backlog as its gauge last counted it; null when it is unknown. */
    private Double backlog() {
        var gauge = registry.find("hub.inbox.backlog").gauge();
        return gauge == null || Double.isNaN(gauge.value()) ? null : gauge.value();
    }

    /** The last hour, oldest point first: everySeconds, slots (an hour of points) and the points so far. */
    synchronized Map<String, Object> lastHour() {
        Map<String, Object> hour = new LinkedHashMap<>();
        hour.put("everySeconds", POINT_EVERY_MS / 1000);
        hour.put("slots", POINTS);
        hour.put("points", points.stream().map(point -> {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("at", Instant.ofEpochMilli(point.at()).toString());
            figures.put("pushesPerSecond", point.pushesPerSecond());
            figures.put("donePerSecond", point.donePerSecond());
            figures.put("answerP99Ms", point.answerP99Ms());
            figures.put("backlog", point.backlog() == null ? null : Math.round(point.backlog()));
            return figures;
        }).toList());
        return hour;
    }

    /** Pushes per second, done per second, answer p99 (ms, null without answers) over the window. */
    Map<String, Object> figures() {
        Sample now = sample();
        Sample then;
        synchronized (this) {
            then = samples.peekFirst();
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        if (then == null || now.at() - then.at() < 1_000) {
            figures.put("windowSeconds", 0);
            figures.put("pushesPerSecond", null);
            figures.put("donePerSecond", null);
            figures.put("answerP99Ms", null);
            return figures;
        }
        double seconds = (now.at() - then.at()) / 1000.0;
        figures.put("windowSeconds", Math.round(seconds));
        figures.put("pushesPerSecond", round(Math.max(0, now.pushes() - then.pushes()) / seconds));
        figures.put("donePerSecond", round(Math.max(0, now.done() - then.done()) / seconds));
        Double p99 = quantile(0.99, then, now);
        figures.put("answerP99Ms", p99 == null ? null : round(p99 / 1_000_000.0));
        figures.put("answers", now.answers() - then.answers());
        return figures;
    }

    Sample sample() {
        double pushes = registry.find("wechat.pushes").counters().stream().mapToDouble(Counter::count).sum();
        double done = registry.find("wechat.dispatch").tag("outcome", "done").counters().stream().mapToDouble(Counter::count).sum();
        long answers = 0;
        TreeMap<Double, Double> buckets = new TreeMap<>();
        for (Timer timer : registry.find("wechat.push.answer").timers()) {
            var snapshot = timer.takeSnapshot();
            answers += snapshot.count();
            for (CountAtBucket bucket : snapshot.histogramCounts()) {
                buckets.merge(bucket.bucket(), bucket.count(), Double::sum);
            }
        }
        return new Sample(clock.millis(), pushes, done, answers, buckets);
    }

    /**
     * The q-quantile (ns) of the answers between two samples, interpolated linearly inside the
     * bucket it falls in, like Prometheus' histogram_quantile(); null when nothing was answered.
     */
    static Double quantile(double q, Sample then, Sample now) {
        long answers = now.answers() - then.answers();
        if (answers <= 0 || now.buckets().isEmpty()) {
            return null;
        }
        double rank = q * answers;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Map.Entry<Double, Double> bucket : now.buckets().entrySet()) {
            double count = bucket.getValue() - then.buckets().getOrDefault(bucket.getKey(), 0.0);
            if (count >= rank) {
                double inBucket = count - lowerCount;
                double fraction = inBucket <= 0 ? 1 : (rank - lowerCount) / inBucket;
                return lowerBound + (bucket.getKey() - lowerBound) * Math.min(1, Math.max(0, fraction));
            }
            lowerBound = bucket.getKey();
            lowerCount = count;
        }
        return lowerBound; // beyond the last bucket: at least that
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
