package com.wechathub.wechat.api;

import java.time.Duration;
import java.util.Optional;

/**
 * Where the cluster keeps each AppID's access token (docs/wechat.md) — WeChat's tokens belong to the
 * AppID, so two account entries with one AppID share one — with the lock that lets one node at a
 * time ask WeChat for one, the force_refresh permits, and the notes every node must see (a
 * backoff after WeChat refused a token, a token WeChat keeps answering after refusing it).
 * {@code hub.token.store=redis} (prod) shares all of it across nodes; {@code memory} (the default
 * profile) keeps it in this process.
 */
interface TokenStore {

    /** The outcome of asking for a force_refresh permit. */
    enum ForceRefresh { GRANTED, TOO_SOON, DAILY_LIMIT }

    Optional<String> get(String appId);

    /** How long the kept token has left, if there is one. */
    Optional<Duration> remaining(String appId);

    /**
     * Compare-and-set: stores {@code token} only if the kept token is still {@code expected}
     * ({@code null}: none is kept), so a token another node stored meanwhile is never replaced by
     * an older one. Returns the token kept afterwards (ours, or the other node's).
     */
    String replace(String appId, String expected, String token, Duration ttl);

    /** Forgets the kept token if it is still {@code expected} (a token another node stored meanwhile stays). */
    void drop(String appId, String expected);

    /** Takes the AppID's token-request lock for {@code owner}, if nobody holds it; it expires after {@code ttl}. */
    boolean tryLock(String appId, String owner, Duration ttl);

    /** Releases the lock if {@code owner} still holds it. */
    void unlock(String appId, String owner);

    /**
     * A permit for one {@code force_refresh}: at most one per {@code spacing} and {@code perDay}
     * per {@code day} (WeChat's day) for the AppID, whichever node asks.
     */
    ForceRefresh tryForceRefresh(String appId, Duration spacing, int perDay, String day);

    /** A note about the AppID every node sees until it expires. */
    void putNote(String appId, String name, String value, Duration ttl);

    Optional<String> note(String appId, String name);
}
