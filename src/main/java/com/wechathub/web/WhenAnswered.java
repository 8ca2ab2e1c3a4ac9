package com.wechathub.web;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletRequest;

/**
 * Runs something once a request has been answered. A filter's chain returns before the answer
 * when the request went asynchronous (platform-http answers on another thread); then the action
 * waits for the async cycle to complete, which the container signals after timeouts and errors
 * too.
 */
public final class WhenAnswered implements AsyncListener {

    private final Runnable action;

    private WhenAnswered(Runnable action) {
        this.action = action;
    }

    /** Call after {@code chain.doFilter}: runs {@code action} now, or when the async answer completes. */
    public static void run(ServletRequest request, Runnable action) {
        if (request.isAsyncStarted()) {
            request.getAsyncContext().addListener(new WhenAnswered(action));
        } else {
            action.run();
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        action.run();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        // onComplete follows
    }

    @Override
    public void onError(AsyncEvent event) {
        // onComplete follows
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        event.getAsyncContext().addListener(this); // the same request, answered later still
    }
}
