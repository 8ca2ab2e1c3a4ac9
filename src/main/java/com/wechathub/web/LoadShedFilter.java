package com.wechathub.web;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Sheds load instead of queueing it. WeChat gives up on a push after 5 s and sends it again, so a
 * push that would wait in a queue past that is better refused at once with 503: WeChat's retry
 * then finds the hub less busy. At most {@code limit} pushes are processed at a time; platform-http
 * completes them asynchronously, so a permit is returned when the async request completes.
 */
class LoadShedFilter extends OncePerRequestFilter {

    private final Semaphore permits;
    private final Runnable onShed;

    LoadShedFilter(int limit, Runnable onShed) {
        this.permits = new Semaphore(limit);
        this.onShed = onShed;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!permits.tryAcquire()) {
            onShed.run();
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            response.setContentType("text/plain;charset=UTF-8");
            response.getOutputStream().write("busy, retry later".getBytes(StandardCharsets.UTF_8));
            return;
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                permits.release();
            }
        };
        try {
            chain.doFilter(request, response);
        } finally {
            if (request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new ReleaseOnCompletion(release));
            } else {
                release.run();
            }
        }
    }

    int available() {
        return permits.availablePermits();
    }

    private record ReleaseOnCompletion(Runnable release) implements AsyncListener {

        @Override
        public void onComplete(AsyncEvent event) {
            release.run();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            release.run();
        }

        @Override
        public void onError(AsyncEvent event) {
            release.run();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // still the same request: the permit stays taken
        }
    }
}
