package com.wechathub.wechat.api;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Tokens and locks in this process (the default profile, a single node): same rules as Redis. */
final class MemoryTokenStore implements TokenStore {

    private record Entry(String value, long expiresAt) {
    }

    private final Map<String, Entry> tokens = new ConcurrentHashMap<>();
    private final Map<String, Entry> locks = new ConcurrentHashMap<>();
    private final Clock clock;

    MemoryTokenStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Optional<String> get(String account) {
        return live(tokens, account).map(Entry::value);
    }

    @Override
    public Optional<Duration> remaining(String account) {
        return live(tokens, account).map(e -> Duration.ofMillis(e.expiresAt() - clock.millis()));
    }

    @Override
    public void put(String account, String token, Duration ttl) {
        tokens.put(account, new Entry(token, clock.millis() + ttl.toMillis()));
    }

    @Override
    public boolean deleteIfEquals(String account, String token) {
        return tokens.computeIfPresent(account, (a, e) -> e.value().equals(token) ? null : e) == null;
    }

    @Override
    public boolean tryLock(String account, String owner, Duration ttl) {
        long now = clock.millis();
        Entry mine = new Entry(owner, now + ttl.toMillis());
        return locks.compute(account, (a, held) -> held == null || held.expiresAt() <= now ? mine : held) == mine;
    }

    @Override
    public void unlock(String account, String owner) {
        locks.computeIfPresent(account, (a, held) -> held.value().equals(owner) ? null : held);
    }

    private Optional<Entry> live(Map<String, Entry> entries, String account) {
        Entry entry = entries.get(account);
        if (entry == null || entry.expiresAt() <= clock.millis()) {
            return Optional.empty();
        }
        return Optional.of(entry);
    }
}
