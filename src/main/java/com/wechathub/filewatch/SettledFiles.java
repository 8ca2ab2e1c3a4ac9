package com.wechathub.filewatch;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches some files by reading them whole every poll interval, and hands an edit over once it has
 * stayed the same for the settle time, so a save that spans several writes is read whole. A file
 * saved in place and one replaced by a rename read the same: contents are compared, not
 * timestamps. An empty file is a save in progress (editors truncate, then write): it is "not yet",
 * and the next change is waited for. Everything runs on the watch's own thread, one thing at a
 * time; a failure to read or to apply is logged and the watch goes on.
 *
 * @param <K> what names a file in a snapshot (a file name, a path)
 */
public final class SettledFiles<K> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SettledFiles.class);

    private final String what;
    private final Supplier<Map<K, String>> read;
    private final Consumer<Map<K, String>> onEdit;
    private final Duration settle;
    private final ScheduledExecutorService watcher;

    // Only ever touched on the watcher thread.
    private Map<K, String> settled;
    private boolean settling;

    /**
     * @param what   the files, as log lines name them ("the route files in routes/")
     * @param read   a snapshot: each file's text
     * @param onEdit called with the snapshot of an edit that has settled and has no empty file
     */
    public SettledFiles(String thread, String what, Supplier<Map<K, String>> read, Consumer<Map<K, String>> onEdit,
                        Duration settle) {
        this.what = what;
        this.read = read;
        this.onEdit = onEdit;
        this.settle = settle;
        this.watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread watching = new Thread(runnable, thread);
            watching.setDaemon(true);
            return watching;
        });
    }

    /**
     * Runs {@code first} on the watch's thread (what is running now is read there), takes the files
     * as they are as settled, then looks every {@code poll}.
     */
    public void start(Runnable first, Duration poll) {
        watcher.execute(() -> {
            first.run();
            settled = read.get();
        });
        watcher.scheduleWithFixedDelay(this::poll, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }

    private void poll() {
        try {
            if (settling) {
                return;
            }
            Map<K, String> seen = read.get();
            if (!seen.equals(settled)) {
                settling = true;
                watcher.schedule(() -> settle(seen), settle.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            log.warn("Could not read {}: {}", what, e.toString());
        }
    }

    /** Takes the files as they are once they have not changed for the settle time. */
    private void settle(Map<K, String> seen) {
        try {
            Map<K, String> now = read.get();
            if (!now.equals(seen)) {
                watcher.schedule(() -> settle(now), settle.toMillis(), TimeUnit.MILLISECONDS);
                return;
            }
            settling = false;
            settled = now;
            if (now.values().stream().anyMatch(String::isBlank)) {
                log.debug("A file of {} is empty, probably being saved; waiting for the next change", what);
                return;
            }
            onEdit.accept(now);
        } catch (RuntimeException e) {
            settling = false;
            log.warn("Could not read or apply {}: {}", what, e.toString());
        } catch (Error e) {
            // A task of a scheduled executor that throws is dropped without a word, and with
            // settling still true the watch would never look at the files again.
            settling = false;
            log.error("Reading or applying {} failed; watching goes on", what, e);
        }
    }
}
