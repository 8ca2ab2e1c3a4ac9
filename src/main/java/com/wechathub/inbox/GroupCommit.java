package com.wechathub.inbox;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Records pushes that arrive together in one transaction: a push hands its row to a writer and
 * waits until the transaction holding it has committed, so it is still answered only once its own
 * row is durable, but a busy inbox commits (and flushes its log) once per batch instead of once per
 * push. A writer takes whatever rows are waiting when it is free, up to {@link #MAX_BATCH}; nothing
 * waits for a batch to fill. A row that arrives alone is written by its own request, as before.
 *
 * <p>When a batch fails because the database cannot be reached or timed out, each of its pushes
 * fails (503, and WeChat retries). When it fails for one of its rows (a duplicate the dedupe store
 * missed, say), each push writes its row alone, so only that one gets its own outcome.
 */
final class GroupCommit {

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    static final int MAX_BATCH = 100;
    static final int WRITERS = 2;

    /** What became of a row handed to {@link #write}. */
    enum Result {
        /** Committed with its batch. */
        COMMITTED,
        /** Not written: the caller writes it alone, in a transaction of its own. */
        WRITE_ALONE
    }

    /** Writes a batch of rows in the current transaction. */
    interface BatchWriter {
        void write(List<Object[]> rows);
    }

    private record Pending(Object[] row, Runnable onCommit, CompletableFuture<Result> result) {
    }

    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final TransactionTemplate transactions;
    private final BatchWriter writer;
    private final ExecutorService writers;

    /** {@code writers} threads commit the batches (none: the caller runs {@link #commitNext}). */
    GroupCommit(TransactionTemplate transactions, BatchWriter writer, int writers) {
        this.transactions = transactions;
        this.writer = writer;
        this.writers = Executors.newCachedThreadPool(daemonThreads("inbox-writer-"));
        for (int i = 0; i < writers; i++) {
            this.writers.execute(this::drain);
        }
    }

    /**
     * Hands a row to the writers and waits up to {@code timeoutMillis} for its transaction.
     * {@code onCommit} runs once the row is committed, even if this caller stopped waiting.
     */
    Result write(Object[] row, Runnable onCommit, long timeoutMillis) throws InterruptedException {
        Pending pending = new Pending(row, onCommit, new CompletableFuture<>());
        queue.add(pending);
        try {
            return pending.result().get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new QueryTimeoutException("the inbox did not commit the push within " + timeoutMillis + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof DataAccessException failure ? failure
                    : new DataAccessResourceFailureException("the inbox could not record the push", e.getCause());
        }
    }

    private void drain() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                commitNext();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for a row, then commits it with every row waiting behind it (up to a batch). */
    void commitNext() throws InterruptedException {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        batch.add(queue.take());
        queue.drainTo(batch, MAX_BATCH - 1);
        commit(batch);
    }

    /** Rows handed over and not yet taken by a writer. */
    int waiting() {
        return queue.size();
    }

    private void commit(List<Pending> batch) {
        if (batch.size() == 1) {
            batch.get(0).result().complete(Result.WRITE_ALONE); // no one to share a commit with
            return;
        }
        try {
            transactions.executeWithoutResult(status -> writer.write(batch.stream().map(Pending::row).toList()));
        } catch (DataAccessResourceFailureException | TransientDataAccessException | CannotCreateTransactionException e) {
            // the database is gone or stalled: writing each row alone would fail the same way
            batch.forEach(pending -> pending.result().completeExceptionally(e));
            return;
        } catch (RuntimeException e) {
            batch.forEach(pending -> pending.result().complete(Result.WRITE_ALONE));
            return;
        }
        for (Pending pending : batch) {
            try {
                pending.onCommit().run();
            } catch (RuntimeException e) { // the row is committed all the same: the push is answered 200
                log.error("After recording event {}: {}", pending.row()[0], e.toString(), e);
            }
            pending.result().complete(Result.COMMITTED);
        }
    }

    void stop() {
        writers.shutdownNow();
    }

    /** Daemon threads named prefix1, prefix2, …: the JVM does not wait for them to exit. */
    static CustomizableThreadFactory daemonThreads(String prefix) {
        CustomizableThreadFactory threads = new CustomizableThreadFactory(prefix);
        threads.setDaemon(true);
        return threads;
    }
}
