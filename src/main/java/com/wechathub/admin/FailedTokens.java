package com.wechathub.admin;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Wrong operator tokens per client address (docs/security.md): a client whose last {@code limit} failures
 * all fall within {@code window} is refused until the oldest of them leaves it, whatever it sends
 * then. Memory is bounded: at most {@code maxClients} addresses are remembered, the one seen least
 * recently forgotten first (an attacker spreading guesses over that many addresses gets at most
 * {@code limit} per address and window anyway). A right token clears the client's failures.
 */
final class FailedTokens {

    private final int limit;
    private final long windowMillis;
    private final Clock clock;
    private final Map<String, long[]> clients;

    FailedTokens(int limit, Duration window, int maxClients, Clock clock) {
        this.limit = limit;
        this.windowMillis = window.toMillis();
        this.clock = clock;
        this.clients = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
                return size() > maxClients;
            }
        };
    }

    /** Seconds until the client may try again (at least 1), or empty when it may try now. */
    synchronized OptionalLong blockedFor(String client) {
        long[] failures = clients.get(client);
        if (failures == null || failures[0] < limit) {
            return OptionalLong.empty();
        }
        long oldest = failures[1 + (int) (failures[0] % limit)]; // the ring's next slot holds the oldest
        long left = oldest + windowMillis - clock.millis();
        return left > 0 ? OptionalLong.of(Math.max(1, (left + 999) / 1000)) : OptionalLong.empty();
    }

    /** One more wrong token from the client. */
    synchronized void failed(String client) {
        long[] failures = clients.computeIfAbsent(client, c -> new long[1 + limit]); // [count, ring of times]
        failures[1 + (int) (failures[0] % limit)] = clock.millis();
        failures[0]++;
    }

    synchronized void succeeded(String client) {
        clients.remove(client);
    }

    synchronized int clientsRemembered() {
        return clients.size();
    }
}
