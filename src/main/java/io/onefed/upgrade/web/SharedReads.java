package io.onefed.upgrade.web;

import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A read of one upgrade shared between its callers: {@code GET /api/upgrades/{id}} (UpgradeRuns#status) and
 * {@code GET /api/upgrades/{id}/progress} (the live page's). At 100 zones, during an upgrade, one read of the engine
 * took a median of 0.2-0.7 s and a p95 of 13-17 s (benchmark, 2026-12-04): its queries wait behind a hundred zones'
 * jobs for the database and the cores, and every open page or script asks again each second. So:
 * <ul>
 * <li>a caller gets a read that began after its call, if that read ends within {@code wait};</li>
 * <li>otherwise it gets the latest answer (its {@code readAt} says when that read began), and the read goes
 * on for whoever asks next (each answer says how old it is: readAt, generated); while the latest read took longer
 * than {@code wait}, callers get the latest answer at once instead of after the wait;</li>
 * <li>at most one read per upgrade runs at a time and at most one more waits to begin: callers arriving while one
 * runs share the next;</li>
 * <li>a caller that wants nothing older than its call ({@code Cache-Control: no-cache}), or that finds no earlier
 * answer, waits for the read.</li>
 * </ul>
 * What a read returns depends on who asks (the engine's authorizations apply to its queries: an auditor sees no
 * approvals, a grant made in Admin may narrow a user's view), so reads are shared only between calls of the same
 * engine user with the same groups and tenants, and each runs under that caller's engine authentication.
 */
public class SharedReads<T> implements AutoCloseable {

    /** Upgrades whose latest answer is kept; reads of ids that name no upgrade keep nothing. */
    static final int KEPT = 64;

    /** An answer and whether its read began after the call (false: the latest earlier one, as its readAt says). */
    public record Read<T>(T value, boolean fresh) {
    }

    /** One upgrade's reads. Guarded by {@link #lock}. */
    private final class Slot {
        CompletableFuture<T> running;
        CompletableFuture<T> next;
        T latest;
        /** How long the latest read took (System.nanoTime): one slower than the wait is not waited for again. */
        long lastReadNanos;

        boolean idle() {
            return running == null && next == null;
        }
    }

    private final Function<String, T> read;
    private final IdentityService identity;
    private final Duration wait;
    private final Executor background;
    private final java.util.function.LongSupplier nanoTime;
    private final Object lock = new Object();
    private final Map<String, Slot> slots = new LinkedHashMap<>(16, 0.75f, true);

    /** @param read one read of an upgrade; null: no upgrade has that id */
    public SharedReads(Function<String, T> read, IdentityService identity, Duration wait,
            Executor background) {
        this(read, identity, wait, background, System::nanoTime);
    }

    /** With the clock that times the reads (tests). */
    SharedReads(Function<String, T> read, IdentityService identity, Duration wait, Executor background,
            java.util.function.LongSupplier nanoTime) {
        this.read = read;
        this.identity = identity;
        this.wait = wait;
        this.background = background;
        this.nanoTime = nanoTime;
    }

    /**
     * The read of upgrade {@code id}, or a null value when no upgrade has it.
     *
     * @param onlyFresh wait for a read that began after this call, however long it takes
     */
    public Read<T> read(String id, boolean onlyFresh) {
        Authentication caller = identity.getCurrentAuthentication();
        String key = key(id, caller);
        CompletableFuture<T> mine;
        Slot slot;
        boolean earlier;
        boolean slow;
        synchronized (lock) {
            slot = slots.computeIfAbsent(key, k -> new Slot());
            if (slot.running == null) {
                slot.running = new CompletableFuture<>();
                mine = slot.running;
                start(id, caller, key, slot, mine);
            } else {
                // the running read began before this call: share the one after it
                if (slot.next == null) {
                    slot.next = new CompletableFuture<>();
                }
                mine = slot.next;
            }
            earlier = slot.latest != null;
            slow = slot.lastReadNanos > wait.toNanos();
            forgetIdle();
        }
        if (onlyFresh || !earlier) {
            return new Read<>(join(mine), true);
        }
        if (slow) {
            // the latest read took longer than the wait: this one would not end in time either, so no caller waits
            // the wait only to get the answer it could have had at once
            return latest(slot);
        }
        try {
            return new Read<>(mine.get(wait.toNanos(), TimeUnit.NANOSECONDS), true);
        } catch (TimeoutException e) {
            return latest(slot);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return latest(slot);
        } catch (ExecutionException e) {
            throw rethrown(e.getCause());
        }
    }

    /** The latest answer, not begun after the call (its readAt or generated says when). */
    private Read<T> latest(Slot slot) {
        synchronized (lock) {
            return new Read<>(slot.latest, false);
        }
    }

    /** The upgrade and who asks: its user, groups and tenants, which decide what the engine's queries return. */
    private static String key(String id, Authentication caller) {
        if (caller == null) {
            return id + "\u0000";
        }
        List<String> groups = caller.getGroupIds() == null ? List.of() : caller.getGroupIds().stream().sorted().toList();
        List<String> tenants = caller.getTenantIds() == null ? List.of() : caller.getTenantIds().stream().sorted().toList();
        return String.join("\u0000", id, String.valueOf(caller.getUserId()), String.join(",", groups),
                String.join(",", tenants));
    }

    /** Whether a request's {@code Cache-Control} asks for a read begun after it ({@code no-cache}). */
    public static boolean onlyFresh(String cacheControl) {
        return cacheControl != null && cacheControl.toLowerCase(java.util.Locale.ROOT).contains("no-cache");
    }

    /** Called holding the lock. */
    private void start(String id, Authentication caller, String key, Slot slot,
            CompletableFuture<T> answer) {
        try {
            background.execute(() -> run(id, caller, key, slot, answer));
        } catch (RejectedExecutionException e) {
            // shutting down: the caller hears it, and no later caller waits for a read never run
            slot.running = null;
            answer.completeExceptionally(e);
        }
    }

    /** One read on the background thread; then the read that callers arriving meanwhile wait for, if any. */
    private void run(String id, Authentication caller, String key, Slot slot,
            CompletableFuture<T> answer) {
        T value = null;
        Throwable failure = null;
        // the engine keeps the authentication per thread: this one's is the caller's for this read only
        if (caller != null) {
            identity.setAuthentication(caller);
        } else {
            identity.clearAuthentication();
        }
        long began = nanoTime.getAsLong();
        try {
            value = read.apply(id);
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            identity.clearAuthentication();
        }
        long took = nanoTime.getAsLong() - began;
        synchronized (lock) {
            if (failure == null && value != null) {
                slot.latest = value;
                slot.lastReadNanos = took;
            }
            slot.running = slot.next;
            slot.next = null;
            if (slot.running != null) {
                start(id, caller, key, slot, slot.running);
            } else if (slot.latest == null) {
                slots.remove(key, slot); // no upgrade has this id (yet): nothing to keep for it
            }
        }
        if (failure != null) {
            answer.completeExceptionally(failure);
        } else {
            answer.complete(value);
        }
    }

    /** Called holding the lock: the least recently asked idle upgrades beyond {@link #KEPT} are forgotten. */
    private void forgetIdle() {
        var it = slots.values().iterator();
        int extra = slots.size() - KEPT;
        while (extra > 0 && it.hasNext()) {
            if (it.next().idle()) {
                it.remove();
                extra--;
            }
        }
    }

    /** How many upgrades' reads are kept (tests). */
    int kept() {
        synchronized (lock) {
            return slots.size();
        }
    }

    private static <T> T join(CompletableFuture<T> answer) {
        try {
            return answer.join();
        } catch (CompletionException e) {
            throw rethrown(e.getCause());
        }
    }

    private static RuntimeException rethrown(Throwable cause) {
        if (cause instanceof RuntimeException r) {
            return r;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(cause);
    }

    /** Stops the background threads when this owns them (an ExecutorService); a running read is interrupted. */
    @Override
    public void close() {
        if (background instanceof ExecutorService owned) {
            owned.shutdownNow();
        }
    }
}
