package com.wechathub.wechat.api;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Tokens, locks, permits and notes in this process (the default profile, a single node): same rules as Redis. */
final class MemoryTokenStore implements TokenStore {

    private record Entry(String value, long expiresAt) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;

    MemoryTokenStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Optional<String> get(String appId) {
        return live(appId).map(Entry::value);
    }

    @Override
    public Optional<Duration> remaining(String appId) {
        return live(appId).map(e -> Duration.ofMillis(e.expiresAt() - clock.millis()));
    }

    @Override
    public String replace(String appId, String expected, String token, Duration ttl) {
        long now = clock.millis();
        return entries.compute(appId, (a, kept) -> kept == null || kept.expiresAt() <= now || kept.value().equals(expected)
                ? new Entry(token, now + ttl.toMillis()) : kept).value();
    }

    @Override
    public void drop(String appId, String expected) {
        entries.computeIfPresent(appId, (a, kept) -> kept.value().equals(expected) ? null : kept);
    }

    @Override
    public boolean tryLock(String appId, String owner, Duration ttl) {
        return setIfAbsent(appId + ":lock", owner, ttl);
    }

    @Override
    public void unlock(String appId, String owner) {
        entries.computeIfPresent(appId + ":lock", (a, held) -> held.value().equals(owner) ? null : held);
    }

    @Override
    public synchronized ForceRefresh tryForceRefresh(String appId, Duration spacing, int perDay, String day) {
        String key = appId + ":force:" + day;
        int count = live(key).map(e -> Integer.parseInt(e.value())).orElse(0);
        if (count >= perDay) {
            return ForceRefresh.DAILY_LIMIT;
        }
        if (!setIfAbsent(appId + ":force", "1", spacing)) {
            return ForceRefresh.TOO_SOON;
        }
        entries.put(key, new Entry(String.valueOf(count + 1), clock.millis() + Duration.ofDays(2).toMillis()));
        return ForceRefresh.GRANTED;
    }

    @Override
    public void putNote(String appId, String name, String value, Duration ttl) {
        entries.put(appId + ":note:" + name, new Entry(value, clock.millis() + ttl.toMillis()));
    }

    @Override
    public Optional<String> note(String appId, String name) {
        return live(appId + ":note:" + name).map(Entry::value);
    }

    private boolean setIfAbsent(String key, String value, Duration ttl) {
        long now = clock.millis();
        Entry mine = new Entry(value, now + ttl.toMillis());
        return entries.compute(key, (a, held) -> held == null || held.expiresAt() <= now ? mine : held) == mine;
    }

    private Optional<Entry> live(String key) {
        Entry entry = entries.get(key);
        if (entry == null || entry.expiresAt() <= clock.millis()) {
            return Optional.empty();
        }
        return Optional.of(entry);
    }
}
