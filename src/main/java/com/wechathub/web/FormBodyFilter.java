package com.wechathub.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a push labelled as a form with 415. A push is XML; labelled
 * application/x-www-form-urlencoded or multipart/*, the servlet stack (Camel's HTTP binding,
 * Spring's multipart resolver) tries to parse the XML as a form before any route runs and fails
 * with a bare 500.
 */
class FormBodyFilter extends OncePerRequestFilter {

    private final Runnable onRefused;

    FormBodyFilter(Runnable onRefused) {
        this.onRefused = onRefused;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String type = request.getContentType();
        type = type == null ? "" : type.toLowerCase(Locale.ROOT).trim();
        if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/")) {
            onRefused.run();
            response.setStatus(HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE);
            response.setContentType("text/plain;charset=UTF-8");
            response.getOutputStream().write("a push is XML, not a form".getBytes(StandardCharsets.UTF_8));
            return;
        }
        chain.doFilter(request, response);
    }
}
