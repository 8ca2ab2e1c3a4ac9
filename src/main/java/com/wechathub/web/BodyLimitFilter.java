package com.wechathub.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a push whose declared Content-Length is over the limit with 413 before any of it is
 * read. (WeChat always declares the length. A chunked body cannot be measured here without
 * consuming it — platform-http reads the original request — so the push route checks its size
 * again once read.)
 */
class BodyLimitFilter extends OncePerRequestFilter {

    private final long limit;
    private final Runnable onRefused;

    BodyLimitFilter(DataSize limit, Runnable onRefused) {
        this.limit = limit.toBytes();
        this.onRefused = onRefused;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > limit) {
            onRefused.run();
            response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
            response.setContentType("text/plain;charset=UTF-8");
            response.getOutputStream().write(("body is larger than " + limit + " bytes").getBytes(StandardCharsets.UTF_8));
            return;
        }
        chain.doFilter(request, response);
    }
}
