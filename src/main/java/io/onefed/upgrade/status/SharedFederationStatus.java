package io.onefed.upgrade.status;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * One probe of the federation shared by every caller of {@code GET /api/federation/status}. A probe is one XML-RPC
 * call per zone and one SSH channel per front-end: at 100 zones, during an upgrade, it took 0.4 to 8 s (benchmark,
 * 2026-12-02) and competed with the upgrade's own jobs, and every operator's page asks once a second. So an answer
 * is served to every caller for {@link StatusSettings#reuseFor()}; a caller that finds it older still gets it at once
 * (its {@code probedAt} says when that probe began) while one new probe runs in the background; only when there is
 * no answer yet, or it is older than {@link StatusSettings#waitAfter()}, does the caller wait for the new probe.
 * Ages count from the end of a probe. Never more than one probe runs at a time.
 */
public class SharedFederationStatus implements AutoCloseable {

    private record Probe(CompletableFuture<FederationStatus> answer) {
    }

    /** An answer and when its probe ended: its age counts from then, so a slow probe is not at once too old. */
    private record Answer(FederationStatus status, Instant arrived) {
    }

    private final Supplier<FederationStatus> probe;
    private final StatusSettings settings;
    private final Clock clock;
    private final Executor background;
    private final Object lock = new Object();
    private Answer last;
    private Probe running;

    /** @param probe one probe of the whole federation ({@link FederationStatusService#status()}) */
    public SharedFederationStatus(Supplier<FederationStatus> probe, StatusSettings settings, Clock clock,
            Executor background) {
        this.probe = probe;
        this.settings = settings;
        this.clock = clock;
        this.background = background;
    }

    public FederationStatus current() {
        CompletableFuture<FederationStatus> waitFor;
        synchronized (lock) {
            Duration age = last == null ? null : Duration.between(last.arrived(), clock.instant());
            if (age != null && age.compareTo(settings.reuseFor()) < 0) {
                return last.status();
            }
            Probe next = running != null ? running : start();
            if (age != null && age.compareTo(settings.waitAfter()) < 0) {
                return last.status();
            }
            waitFor = next.answer();
        }
        try {
            return waitFor.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Called holding the lock; {@code running} is set before the probe can end and clear it. */
    private Probe start() {
        Probe p = new Probe(new CompletableFuture<>());
        running = p;
        try {
            background.execute(() -> run(p));
        } catch (RejectedExecutionException e) {
            running = null; // shutting down: the caller hears it, and no later caller waits for a probe never run
            throw e;
        }
        return p;
    }

    /** One probe, on the background thread: its answer (or its failure) to everyone waiting for it. */
    private void run(Probe p) {
        try {
            FederationStatus answer = probe.get();
            synchronized (lock) {
                last = new Answer(answer, clock.instant());
                running = null;
            }
            p.answer().complete(answer);
        } catch (RuntimeException | Error e) {
            synchronized (lock) {
                running = null;
            }
            p.answer().completeExceptionally(e);
        }
    }

    /** Stops the background thread when this owns one (an ExecutorService); a running probe is interrupted. */
    @Override
    public void close() {
        if (background instanceof ExecutorService owned) {
            owned.shutdownNow();
        }
    }
}
