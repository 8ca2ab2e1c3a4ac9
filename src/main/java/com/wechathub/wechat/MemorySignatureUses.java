package com.wechathub.wechat;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The triples of one node, in memory (the embedded default profile): at most {@code capacity},
 * each forgotten once {@code ttl} has passed. When full, the oldest is forgotten first; its
 * timestamp is then the nearest to leaving the window anyway.
 */
final class MemorySignatureUses implements SignatureUses {

    private record Use(String request, long expiresAt) {
    }

    private final Clock clock;
    private final long ttlMillis;
    private final Map<String, Use> uses;

    MemorySignatureUses(Clock clock, Duration ttl, int capacity) {
        this.clock = clock;
        this.ttlMillis = ttl.toMillis();
        // Insertion order: the eldest entry is also the first to expire.
        this.uses = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Use> eldest) {
                return size() > capacity;
            }
        };
    }

    @Override
    public synchronized boolean firstOrSame(String triple, String request) {
        long now = clock.millis();
        var eldest = uses.entrySet().iterator();
        while (eldest.hasNext() && eldest.next().getValue().expiresAt() <= now) {
            eldest.remove();
        }
        Use use = uses.get(triple);
        if (use != null) {
            return use.request().equals(request);
        }
        uses.put(triple, new Use(request, now + ttlMillis));
        return true;
    }
}
