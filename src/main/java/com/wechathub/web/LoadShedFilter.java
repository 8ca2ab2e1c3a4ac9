package com.wechathub.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
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
        try {
            chain.doFilter(request, response);
        } finally {
            WhenAnswered.run(request, permits::release);
        }
    }

    int available() {
        return permits.availablePermits();
    }
}
