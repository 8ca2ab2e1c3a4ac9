package com.wechathub.reply;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.idempotency.EventIdentity;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Asks the CRM for a {@code crm:} reply through routes/wechat-crm-reply.camel.yaml
 * ({@code GET {hub.crm.base-url}<path>}, Idempotency-Key = the event id, so asking again after a
 * node died is a request the CRM can recognise). Runs on threads of its own: the push waits for
 * it only until the deadline, a late reply up to hub.reply.max-wait.
 */
@Component
class ReplyFromCrm implements DisposableBean {

    static final String ROUTE = "direct:wechat-crm-reply";

    private final ProducerTemplate producer;
    private final ObjectMapper json;
    private final ExecutorService threads = threads("crm-reply-");
    private final AtomicInteger out = new AtomicInteger();

    ReplyFromCrm(ProducerTemplate producer, ObjectMapper json, MeterRegistry registry) {
        this.producer = producer;
        Gauge.builder("wechat.crm.reply.requests", out, AtomicInteger::get)
                .description("crm: reply requests out to the CRM on this node").register(registry);
        this.json = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    /**
     * The CRM's reply, or empty when it answers 204 (no reply); fails on any other answer.
     * Cancelling it aborts the request: its connection to the CRM is closed at once.
     */
    CompletableFuture<Optional<CrmReply>> ask(String eventId, String path) {
        CrmReplyCalls.Call call = new CrmReplyCalls.Call();
        CompletableFuture<Optional<CrmReply>> reply = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                boolean cancelled = super.cancel(mayInterruptIfRunning);
                call.abort();
                return cancelled;
            }
        };
        threads.execute(() -> {
            out.incrementAndGet();
            try {
                reply.complete(CrmReplyCalls.during(call, () -> askNow(eventId, path)));
            } catch (Throwable e) { // whatever ends the request, the reply's waiters learn of it
                reply.completeExceptionally(e);
            } finally {
                out.decrementAndGet();
            }
        });
        return reply;
    }

    private Optional<CrmReply> askNow(String eventId, String pathAndQuery) {
        String[] parts = pathAndQuery.split("\\?", 2);
        Exchange answer = producer.send(ROUTE, exchange -> {
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
            exchange.getMessage().setHeader(Exchange.HTTP_PATH, parts[0]);
            if (parts.length > 1) {
                exchange.getMessage().setHeader(Exchange.HTTP_QUERY, parts[1]);
            }
            exchange.getMessage().setHeader(EventIdentity.EVENT_ID, eventId);
            exchange.getMessage().setBody(null);
        });
        if (answer.getException() != null) {
            throw new IllegalStateException("the CRM did not answer: " + answer.getException().getMessage(), answer.getException());
        }
        int status = answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        if (status == 204) {
            return Optional.empty();
        }
        if (status != 200) {
            throw new IllegalStateException("the CRM answered HTTP " + status + " for " + parts[0]);
        }
        try {
            CrmReply reply = json.readValue(answer.getMessage().getBody(String.class), CrmReply.class);
            if (reply == null || !reply.isValid()) {
                throw new IllegalStateException("the CRM's answer is neither {\"text\"} nor {\"news\"}");
            }
            return Optional.of(reply);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new IllegalStateException("the CRM's answer is not JSON {\"text\"} or {\"news\"}", e);
        }
    }

    /** Up to 256 at once (each may wait up to max-wait); beyond that a request fails at once. */
    static ExecutorService threads(String name) {
        return threads(name, 256);
    }

    /** Up to {@code size} at once; beyond that a task is refused ({@link java.util.concurrent.RejectedExecutionException}). */
    static ExecutorService threads(String name, int size) {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(0, size, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, name + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public void destroy() {
        threads.shutdownNow();
    }
}
