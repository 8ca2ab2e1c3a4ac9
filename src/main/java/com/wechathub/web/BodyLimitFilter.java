package com.wechathub.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps a request body as it is read, chunked or not. The body is read here, on the container's
 * thread, into a buffer of at most {@code limit} bytes: once one byte more has arrived the request
 * is answered 413 and the rest is never read (the connection is closed instead). A declared
 * Content-Length over the limit is refused before any of it is read. What passes on is a request
 * whose body is that buffer, so platform-http (which reads the whole body with
 * {@code request.getReader()} before the route runs) never sees more.
 *
 * <p>A body must also arrive within {@code timeout}: a client trickling bytes would otherwise hold
 * a container thread for as long as it keeps sending (Tomcat's connection-timeout bounds one read,
 * not the whole body). WeChat sends a push of a few hundred bytes at once.
 */
class BodyLimitFilter extends OncePerRequestFilter {

    private final int limit;
    private final long timeoutNanos;
    private final Runnable onTooLarge;
    private final Runnable onTooSlow;

    BodyLimitFilter(DataSize limit, Duration timeout, Runnable onTooLarge, Runnable onTooSlow) {
        this.limit = (int) Math.min(Integer.MAX_VALUE - 8, limit.toBytes());
        this.timeoutNanos = timeout.toNanos();
        this.onTooLarge = onTooLarge;
        this.onTooSlow = onTooSlow;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > limit) {
            refuse(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "body is larger than " + limit + " bytes", onTooLarge);
            return;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(Math.max(0, (int) Math.min(request.getContentLengthLong(), limit)));
        byte[] buffer = new byte[8192];
        long deadline = System.nanoTime() + timeoutNanos;
        InputStream in = request.getInputStream();
        try {
            for (int n; (n = in.read(buffer, 0, Math.min(buffer.length, limit + 1 - body.size()))) != -1; ) {
                body.write(buffer, 0, n);
                if (body.size() > limit) {
                    refuse(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "body is larger than " + limit + " bytes", onTooLarge);
                    return;
                }
                if (System.nanoTime() - deadline > 0) {
                    refuse(response, HttpServletResponse.SC_REQUEST_TIMEOUT, "body not received in time", onTooSlow);
                    return;
                }
            }
        } catch (IOException stalledOrGone) {
            // No byte for server.tomcat.connection-timeout, or the client went away mid-body.
            refuse(response, HttpServletResponse.SC_REQUEST_TIMEOUT, "body not received in time", onTooSlow);
            return;
        }
        chain.doFilter(new ReadBody(request, body.toByteArray()), response);
    }

    /**
     * The rest of the body stays unread: the container closes the connection rather than read it
     * (server.tomcat.max-swallow-size: 0).
     */
    private static void refuse(HttpServletResponse response, int status, String reason, Runnable count) {
        count.run();
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        try {
            response.setStatus(status);
            response.setHeader("Connection", "close");
            response.setContentType("text/plain;charset=UTF-8");
            response.setContentLength(text.length);
            response.getOutputStream().write(text);
            response.flushBuffer();
        } catch (IOException clientGone) {
            // nobody left to tell
        }
    }

    /** The request with its body already read; its stream and reader serve that copy. */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            return new BodyStream(body);
        }

        @Override
        public BufferedReader getReader() throws UnsupportedEncodingException {
            String encoding = getCharacterEncoding();
            Charset charset;
            try {
                charset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
            } catch (IllegalArgumentException e) {
                throw new UnsupportedEncodingException(encoding);
            }
            // Malformed bytes fail the read, as the container's own reader does: a push is refused
            // 400 rather than recorded with replacement characters.
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
        }
    }

    private static final class BodyStream extends ServletInputStream {

        private final ByteArrayInputStream in;

        BodyStream(byte[] body) {
            this.in = new ByteArrayInputStream(body);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
            return in.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new IllegalStateException("the body has already been read");
        }
    }
}
