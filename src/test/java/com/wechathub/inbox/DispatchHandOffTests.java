package com.wechathub.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.metrics.HubMetrics;
import com.wechathub.node.NodeIdentity;
import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The node that records an event hands it to its own dispatcher at once: a dispatcher waiting for
 * work is woken by the recording, not by its next poll. The inbox here polls every 30 s, so only
 * the hand-off can wake it within the test's bound.
 */
class DispatchHandOffTests extends HubIntegrationTest {

    @Autowired DispatchProperties properties;
    @Autowired TransactionTemplate transactions;
    @Autowired HubMetrics metrics;
    @Autowired ObjectProvider<CamelContext> camel;
    @Autowired DispatchSignal signal;

    Inbox slowPoller() {
        DispatchProperties slow = new DispatchProperties(Duration.ofSeconds(30), properties.batchSize(), properties.threads(),
                properties.maxAttempts(), properties.backoff(), properties.maxBackoff(), properties.lease(), properties.nodeTimeout(),
                properties.nodeName(), properties.maxDefer(), properties.enabled());
        return new Inbox(jdbc, transactions, slow, metrics, Clock.systemUTC(), signal, camel, new NodeIdentity(null));
    }

    @Test
    void recordingAPushWakesTheDispatcherAtOnce() throws Exception {
        Inbox inbox = slowPoller();
        CompletableFuture<Long> woken = CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try {
                inbox.awaitWork();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return System.nanoTime() - start;
        });

        assertThat(client.send(Fixtures.push("event-click", openId, createTime)).statusCode()).isEqualTo(200);

        long waited = woken.get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(waited)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void withNothingRecordedTheDispatcherWaitsForItsPollIntervalAndAWakeUpWhileBusyIsNotLost() throws Exception {
        DispatchSignal quiet = new DispatchSignal();
        long seen = quiet.current();
        long start = System.nanoTime();
        assertThat(quiet.await(seen, 300)).isEqualTo(seen);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        quiet.wake(); // while the dispatcher was not waiting
        start = System.nanoTime();
        assertThat(quiet.await(seen, 30_000)).isGreaterThan(seen);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }
}
