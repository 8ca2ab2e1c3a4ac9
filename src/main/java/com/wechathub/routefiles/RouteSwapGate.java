package com.wechathub.routefiles;

import com.wechathub.web.WhenAnswered;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Holds HTTP requests at the door while routes are swapped, so a push arriving then waits a few
 * milliseconds and is answered by the new routes, instead of meeting a path with no route (404)
 * or a direct: endpoint between two consumers. Closing the gate also waits until every request
 * already inside is answered — platform-http answers asynchronously, on another thread, so a
 * request counts as inside until its async processing completes. Nobody waits longer than
 * {@code maxWait}: after that a request goes in, and a swap goes ahead, whatever the state.
 *
 * <p>When the gate opens, the first request goes in alone and the others follow once it is
 * answered: Camel 4.17's DirectProducer refreshes the consumer it caches after a swap without
 * synchronisation, and two exchanges entering one such producer at the same moment can meet the
 * old, stopped route (RejectedExecutionException, a 500). The first request refreshes the
 * producers on its way.
 */
final class RouteSwapGate extends OncePerRequestFilter {

    private final long maxWaitMillis;
    private int inside;
    private boolean closed;
    private boolean firstAlone;

    RouteSwapGate(Duration maxWait) {
        this.maxWaitMillis = maxWait.toMillis();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        enter();
        try {
            chain.doFilter(request, response);
        } finally {
            WhenAnswered.run(request, this::leave);
        }
    }

    private synchronized void enter() {
        long deadline = System.currentTimeMillis() + maxWaitMillis;
        try {
            for (long left = maxWaitMillis; (closed || (firstAlone && inside > 0)) && left > 0;
                 left = deadline - System.currentTimeMillis()) {
                wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        inside++;
    }

    private synchronized void leave() {
        inside--;
        if (firstAlone || inside == 0) {
            firstAlone = false;
            notifyAll();
        }
    }

    /** Holds new requests and waits for those inside to be answered. False if that took longer than maxWait. */
    synchronized boolean close() {
        closed = true;
        long deadline = System.currentTimeMillis() + maxWaitMillis;
        try {
            for (long left = maxWaitMillis; inside > 0 && left > 0; left = deadline - System.currentTimeMillis()) {
                wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return inside == 0;
    }

    synchronized void open() {
        closed = false;
        firstAlone = true;
        notifyAll();
    }
}
