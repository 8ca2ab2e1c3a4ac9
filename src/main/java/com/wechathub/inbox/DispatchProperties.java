package com.wechathub.inbox;

import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the dispatcher drains the inbox.
 *
 * @param pollInterval how long the dispatcher waits for work when this node records nothing (see
 *                     {@link DispatchSignal}): other nodes' events, retries, a dead node's events
 * @param batchSize    events claimed per poll (at most one per follower, so they may run in parallel);
 *                     at most four batches run at once, so about five are in memory with the held ones
 * @param threads      events dispatched at once (each holds a database connection only
 *                     while it runs a statement; the CRM and the broker are waited on without one)
 * @param maxAttempts  attempts before an event is marked dead
 * @param backoff      delay before the second attempt; doubles each time, up to maxBackoff
 * @param maxBackoff   the longest delay between two attempts
 * @param lease        a claimed event not finished within this is taken again (its node died), whatever
 *                     the node's heartbeat says
 * @param nodeTimeout  a node whose heartbeat (every nodeTimeout / 5) is older than this is dead: the
 *                     events it had claimed are taken over. Longer than any pause a live node may
 *                     have (GC, a stalled database connection), or its events run twice
 * @param maxDefer     how long after its push an event whose account WeChat refuses (a configuration
 *                     error: every node backs off the AppID) is retried at the backoff's end without
 *                     spending attempts; past it, each failure counts, so a misconfiguration ends dead
 * @param nodeName     the readable part of this node's id in wechat_event.claimed_by, reply_claimed_by and
 *                     wechat_node (the id adds a random suffix per start); default the JVM's name, pid@host.
 *                     A name longer than 64 characters is cut, a hash of the whole name in its tail, so the
 *                     id fits its columns however long the host name is
 * @param enabled      whether this node dispatches (route wechat-dispatch starts, the node writes its heartbeat);
 *                     false: it records pushes pending for the nodes that do
 */
@Validated
@ConfigurationProperties("hub.dispatch")
public record DispatchProperties(
        @DefaultValue("100ms") Duration pollInterval,
        @DefaultValue("200") @Positive int batchSize,
        @DefaultValue("16") @Positive int threads,
        @DefaultValue("8") @Positive int maxAttempts,
        @DefaultValue("1s") Duration backoff,
        @DefaultValue("5m") Duration maxBackoff,
        @DefaultValue("2m") Duration lease,
        @DefaultValue("8s") Duration nodeTimeout,
        String nodeName,
        @DefaultValue("1d") Duration maxDefer,
        @DefaultValue("true") boolean enabled) {

    Duration backoffAfter(int attempts) {
        long factor = 1L << Math.min(Math.max(attempts - 1, 0), 20);
        Duration delay = backoff.multipliedBy(factor);
        return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
    }
}
