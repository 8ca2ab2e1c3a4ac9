package com.wechathub.inbox;

import org.springframework.stereotype.Component;

/**
 * Tells this node's dispatcher that there is work: the node has just recorded an event (held for
 * this dispatcher, or pending), or an operator replayed one. The dispatcher then takes it at once
 * instead of at its next poll, which is what the poll interval is left for: other nodes' events,
 * retries coming due, and events of nodes that died. Order per follower and exactly-once claims
 * across nodes stay the inbox's business ({@link Inbox}).
 *
 * <p>A count of wake-ups rather than a flag: each waiter compares it with what it saw last, so a
 * wake-up while the dispatcher was busy is not lost, and no waiter takes another's.
 */
@Component
public class DispatchSignal {

    private long wakeUps;

    /** Called on the push's path: cheap, never blocks for long. */
    public synchronized void wake() {
        wakeUps++;
        notifyAll();
    }

    synchronized long current() {
        return wakeUps;
    }

    /** Waits until there was a wake-up after {@code seen} or {@code millis} have passed; returns the count now. */
    synchronized long await(long seen, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        for (long left = millis; wakeUps == seen && left > 0; left = deadline - System.currentTimeMillis()) {
            wait(left);
        }
        return wakeUps;
    }
}
