package io.onefed.upgrade.steps;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A read-only piece of work whose time grows with the federation (the preflight reads every zone) done in the
 * background and polled by short jobs, so no engine job holds its lock past its bound (issue 15: a preflight of
 * 50 zones on a busy machine outlived the 20 s lock, was taken over while it ran, and never committed). Reads
 * only: a crash, a second node or a lost result just reads again.
 */
public class BackgroundReads<T> implements AutoCloseable {

    private final ConcurrentHashMap<String, CompletableFuture<T>> running = new ConcurrentHashMap<>();
    private final ExecutorService executor;
    private final Duration wait;

    /** {@code wait}: how long one poll waits for the read to end (a poll job's budget). */
    public BackgroundReads(String name, Duration wait) {
        this.wait = wait;
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The read's result if it ended within the wait, else empty (poll again). {@code fresh}: the caller enters the
     * step anew (not a poll of its own read), so an earlier read under the key, finished or not, is not used.
     * A read that failed throws its error once; the next poll reads again.
     */
    public Optional<T> poll(String key, boolean fresh, Supplier<T> read) {
        if (fresh) {
            running.remove(key);
        }
        CompletableFuture<T> f = running.computeIfAbsent(key, k -> CompletableFuture.supplyAsync(read, executor));
        try {
            T result = f.get(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
            running.remove(key, f);
            return Optional.of(result);
        } catch (TimeoutException stillReading) {
            return Optional.empty();
        } catch (ExecutionException e) {
            running.remove(key, f);
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + key, e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
