package io.onefed.upgrade.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.onefed.upgrade.testsupport.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link SharedFederationStatus}: one probe serves every caller for reuse-for, an older answer is served while the
 * next probe runs, and callers wait only with no answer or one past wait-after. Probes run when the test says so
 * (a queue of background tasks), so nothing here depends on timing.
 */
class SharedFederationStatusTest {

    static final Instant T0 = Instant.parse("2026-12-02T14:00:00Z");

    final MovableClock clock = new MovableClock(T0);
    final AtomicInteger probes = new AtomicInteger();
    final Queue<Runnable> background = new ArrayDeque<>();
    final Executor queued = task -> {
        synchronized (background) {
            background.add(task);
        }
    };
    RuntimeException failNext;
    Duration probeTakes = Duration.ZERO;

    FederationStatus probe() {
        if (failNext != null) {
            RuntimeException e = failNext;
            failNext = null;
            throw e;
        }
        Instant began = clock.instant();
        clock.advance(probeTakes);
        return new FederationStatus("probe " + probes.incrementAndGet(), true, true, List.of(), List.of(), began);
    }

    SharedFederationStatus shared(Duration reuseFor, Duration waitAfter, Executor executor) {
        return new SharedFederationStatus(this::probe, new StatusSettings(reuseFor, waitAfter), clock, executor);
    }

    void runBackground() {
        while (true) {
            Runnable task;
            synchronized (background) {
                task = background.poll();
            }
            if (task == null) {
                return;
            }
            task.run();
        }
    }

    @Test
    void oneProbeServesEveryCallerUntilItIsReuseForOld() {
        SharedFederationStatus status = shared(Duration.ofSeconds(5), Duration.ofMinutes(1), Runnable::run);

        assertThat(status.current().name()).isEqualTo("probe 1");
        clock.advance(Duration.ofMillis(4999));
        assertThat(status.current().name()).isEqualTo("probe 1");
        assertThat(probes).hasValue(1);
    }

    @Test
    void anOlderAnswerIsServedAtOnceWhileOneNewProbeRunsInTheBackground() {
        SharedFederationStatus status = shared(Duration.ofSeconds(5), Duration.ofMinutes(1), queued);
        CompletableFuture<FederationStatus> first = CompletableFuture.supplyAsync(status::current);
        awaitQueued(1);
        runBackground();
        assertThat(first.join().name()).isEqualTo("probe 1");

        clock.advance(Duration.ofSeconds(6));
        FederationStatus served = status.current();
        FederationStatus again = status.current();

        assertThat(served.name()).as("the last answer, not a wait").isEqualTo("probe 1");
        assertThat(served.probedAt()).isEqualTo(T0);
        assertThat(again.name()).isEqualTo("probe 1");
        synchronized (background) {
            assertThat(background).as("one new probe for both callers").hasSize(1);
        }
        runBackground();
        assertThat(status.current().name()).isEqualTo("probe 2");
        assertThat(status.current().probedAt()).isEqualTo(T0.plusSeconds(6));
    }

    @Test
    void theAgeCountsFromTheEndOfTheProbe() {
        SharedFederationStatus status = shared(Duration.ofSeconds(5), Duration.ofMinutes(1), Runnable::run);
        probeTakes = Duration.ofSeconds(8); // as slow as at 100 zones under load

        FederationStatus first = status.current();
        clock.advance(Duration.ofSeconds(4));

        assertThat(first.probedAt()).as("when the probe began").isEqualTo(T0);
        assertThat(status.current()).as("4 s after it ended, 12 s after it began").isSameAs(first);
        assertThat(probes).hasValue(1);
    }

    @Test
    void withNoAnswerOrOnePastWaitAfterTheCallerWaitsForTheProbe() throws Exception {
        SharedFederationStatus status = shared(Duration.ofSeconds(5), Duration.ofSeconds(30), queued);
        CompletableFuture<FederationStatus> a = CompletableFuture.supplyAsync(status::current);
        CompletableFuture<FederationStatus> b = CompletableFuture.supplyAsync(status::current);
        awaitQueued(1);
        assertThat(a).as("no answer yet: waits").isNotDone();
        runBackground();
        assertThat(a.get(10, TimeUnit.SECONDS).name()).isEqualTo("probe 1");
        assertThat(b.get(10, TimeUnit.SECONDS).name()).as("the same probe").isEqualTo("probe 1");

        clock.advance(Duration.ofSeconds(31));
        CompletableFuture<FederationStatus> late = CompletableFuture.supplyAsync(status::current);
        awaitQueued(1);
        assertThat(late).as("past wait-after: waits for the new probe").isNotDone();
        runBackground();
        assertThat(late.get(10, TimeUnit.SECONDS).name()).isEqualTo("probe 2");
    }

    @Test
    void aFailedProbeReachesItsWaitingCallerAndTheNextCallProbesAgain() {
        SharedFederationStatus status = shared(Duration.ofSeconds(5), Duration.ofMinutes(1), Runnable::run);
        failNext = new IllegalStateException("federation.zones: no master");

        assertThatThrownBy(status::current).isInstanceOf(IllegalStateException.class).hasMessageContaining("no master");
        assertThat(status.current().name()).isEqualTo("probe 1");
    }

    @Test
    void aProbeRefusedAtShutdownIsSaidAndNobodyWaitsForItLater() {
        SharedFederationStatus status = shared(Duration.ofSeconds(5), Duration.ofMinutes(1), task -> {
            throw new java.util.concurrent.RejectedExecutionException("shutting down");
        });

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThatThrownBy(status::current).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
            assertThatThrownBy(status::current).as("not a wait for the refused probe")
                    .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
        });
        assertThat(probes).hasValue(0);
    }

    @Test
    void reuseForZeroProbesOnEveryCall() {
        SharedFederationStatus status = shared(Duration.ZERO, Duration.ZERO, Runnable::run);

        status.current();
        status.current();

        assertThat(probes).hasValue(2);
    }

    @Test
    void settingsNameTheFieldAndTheFix() {
        assertThatThrownBy(() -> new StatusSettings(Duration.ofSeconds(-1), null))
                .hasMessageContaining("onefed.status.reuse-for").hasMessageContaining("PT5S");
        assertThatThrownBy(() -> new StatusSettings(Duration.ofSeconds(10), Duration.ofSeconds(5)))
                .hasMessageContaining("onefed.status.wait-after").hasMessageContaining("onefed.status.reuse-for");
        assertThat(StatusSettings.defaults()).isEqualTo(new StatusSettings(Duration.ofSeconds(5), Duration.ofMinutes(1)));
        assertThat(new StatusSettings(Duration.ofMinutes(2), null).waitAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(StatusSettings.defaults().upgradeReadWait()).isEqualTo(Duration.ofMillis(500));
        assertThatThrownBy(() -> new StatusSettings(null, null, Duration.ZERO))
                .hasMessageContaining("onefed.status.upgrade-read-wait: PT0S is not positive").hasMessageContaining("PT0.5S");
    }

    private void awaitQueued(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            synchronized (background) {
                if (background.size() >= n) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("a probe was queued in time").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
