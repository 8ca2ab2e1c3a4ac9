package com.wechathub.idempotency;

import java.util.function.Supplier;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets pushes through when Redis is unreachable instead of failing them: the push is then treated
 * as new, and the inbox's unique event id is the backstop that still refuses a second row.
 * Answering WeChat matters more than the first line of deduplication; health shows Redis down.
 */
public class FailOpenIdempotentRepository extends ServiceSupport implements IdempotentRepository {

    private static final Logger log = LoggerFactory.getLogger(FailOpenIdempotentRepository.class);

    private final IdempotentRepository delegate;

    public FailOpenIdempotentRepository(IdempotentRepository delegate) {
        this.delegate = delegate;
    }

    @Override
    public boolean add(String key) {
        return guarded(() -> delegate.add(key), true);
    }

    @Override
    public boolean add(Exchange exchange, String key) {
        return guarded(() -> delegate.add(exchange, key), true);
    }

    @Override
    public boolean contains(String key) {
        return guarded(() -> delegate.contains(key), false);
    }

    @Override
    public boolean remove(String key) {
        return guarded(() -> delegate.remove(key), false);
    }

    @Override
    public boolean confirm(String key) {
        return guarded(() -> delegate.confirm(key), true);
    }

    @Override
    public void clear() {
        guarded(() -> {
            delegate.clear();
            return true;
        }, false);
    }

    private static boolean guarded(Supplier<Boolean> call, boolean whenDown) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            log.warn("Dedupe store unavailable ({}); relying on the inbox's unique event id", e.toString());
            return whenDown;
        }
    }

    @Override
    protected void doStart() throws Exception {
        delegate.start();
    }

    @Override
    protected void doStop() throws Exception {
        delegate.stop();
    }
}
