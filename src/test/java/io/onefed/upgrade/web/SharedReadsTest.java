package io.onefed.upgrade.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.onefed.upgrade.process.UpgradeRuns;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** GET /api/upgrades/{id} shared between callers: fresh when quick, the latest at once when not, rights kept apart. */
class SharedReadsTest {

    final ExecutorService executor = Executors.newFixedThreadPool(2);
    final AtomicInteger reads = new AtomicInteger();
    /** While set, reads wait for it: a read held behind a loaded database. */
    final AtomicReference<CountDownLatch> hold = new AtomicReference<>();
    /** The engine authentication each thread has, as the mocked IdentityService keeps it. */
    final ThreadLocal<Authentication> current = new ThreadLocal<>();
    final IdentityService identity = identity();
    final List<String> readAs = java.util.Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    IdentityService identity() {
        IdentityService mock = mock(IdentityService.class);
        when(mock.getCurrentAuthentication()).thenAnswer(i -> current.get());
        doAnswer(i -> {
            current.set(i.getArgument(0));
            return null;
        }).when(mock).setAuthentication(any(Authentication.class));
        doAnswer(i -> {
            current.remove();
            return null;
        }).when(mock).clearAuthentication();
        return mock;
    }

    UpgradeRuns.Status read(String id) {
        int n = reads.incrementAndGet();
        Authentication who = current.get();
        readAs.add(who == null ? "nobody" : who.getUserId());
        CountDownLatch h = hold.get();
        if (h != null) {
            try {
                h.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (id.startsWith("missing")) {
            return null;
        }
        if (id.startsWith("broken")) {
            throw new IllegalStateException("the engine's database is gone");
        }
        // the read's number stands in for what it saw: a later read, a later state
        return new UpgradeRuns.Status(id, "read " + n, "7.0.0", "6.10.0", "operator1", null, null, List.of(),
                List.of(), List.of(), Instant.now());
    }

    SharedReads<UpgradeRuns.Status> shared(Duration wait) {
        return new SharedReads<>(this::read, identity, wait, executor);
    }

    static void until(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s for " + what).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void aQuickReadIsAlwaysOneBegunAfterTheCall() {
        SharedReads<UpgradeRuns.Status> shared = shared(Duration.ofSeconds(5));
        SharedReads.Read<UpgradeRuns.Status> first = shared.read("U1", false);
        SharedReads.Read<UpgradeRuns.Status> second = shared.read("U1", false);
        assertThat(first.fresh()).isTrue();
        assertThat(first.value().state()).isEqualTo("read 1");
        assertThat(second.fresh()).isTrue();
        assertThat(second.value().state()).as("no answer is served twice while reads are quick").isEqualTo("read 2");
    }

    @Test
    void aSlowReadLeavesTheCallerWithTheLatestAnswerAtOnceAndServesTheNextCaller() {
        SharedReads<UpgradeRuns.Status> shared = shared(Duration.ofMillis(50));
        assertThat(shared.read("U1", false).value().state()).isEqualTo("read 1");

        CountDownLatch slow = new CountDownLatch(1);
        hold.set(slow);
        SharedReads.Read<UpgradeRuns.Status> stale = shared.read("U1", false);
        assertThat(stale.fresh()).isFalse();
        assertThat(stale.value().state()).as("the latest answer, at once").isEqualTo("read 1");

        // the slow read ends: its answer is the latest one while the read after it is slow too
        CountDownLatch slower = new CountDownLatch(1);
        hold.set(slower);
        slow.countDown();
        until(() -> shared.read("U1", false).value().state().equals("read 2"), "the slow read's answer");
        assertThat(reads.get()).as("one read at a time, one more waiting").isLessThanOrEqualTo(3);

        hold.set(null);
        slower.countDown();
        until(() -> shared.read("U1", false).fresh(), "a quick read again");
    }

    /** On a loaded service every read is slower than the wait: nobody waits the wait only to get the latest. */
    @Test
    void afterAReadSlowerThanTheWaitCallersGetTheLatestAtOnce() throws Exception {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        SharedReads<UpgradeRuns.Status> shared = new SharedReads<>(id -> {
            UpgradeRuns.Status s = read(id);
            clock.addAndGet(TimeUnit.SECONDS.toNanos(20)); // each read takes 20 s on this clock
            return s;
        }, identity, Duration.ofSeconds(10), executor, clock::get);
        assertThat(shared.read("U1", false).value().state()).isEqualTo("read 1");

        CountDownLatch slow = new CountDownLatch(1);
        hold.set(slow);
        SharedReads.Read<UpgradeRuns.Status> answer = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> shared.read("U1", false)).get(5, TimeUnit.SECONDS);
        assertThat(answer.fresh()).isFalse();
        assertThat(answer.value().state()).as("the latest, before the 10 s wait was over").isEqualTo("read 1");
        hold.set(null);
        slow.countDown();
        until(() -> reads.get() == 2, "the read the call began");
        assertThat(shared.read("U1", true).fresh()).as("no-cache still waits").isTrue();
    }

    @Test
    void callersArrivingWhileAReadRunsShareTheNextReadAndNoCacheWaitsForIt() throws Exception {
        SharedReads<UpgradeRuns.Status> shared = shared(Duration.ofMillis(50));
        CountDownLatch slow = new CountDownLatch(1);
        hold.set(slow);
        List<Thread> callers = new ArrayList<>();
        List<SharedReads.Read<UpgradeRuns.Status>> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread firstCaller = new Thread(() -> answers.add(shared.read("U1", true)));
        firstCaller.start();
        until(() -> reads.get() == 1, "the first read to begin");
        for (int i = 0; i < 5; i++) {
            Thread t = new Thread(() -> answers.add(shared.read("U1", true)));
            callers.add(t);
            t.start();
        }
        until(() -> callers.stream().allMatch(t -> t.getState() == Thread.State.WAITING), "the callers to wait");
        hold.set(null);
        slow.countDown();
        firstCaller.join(10_000);
        for (Thread t : callers) {
            t.join(10_000);
        }
        assertThat(reads.get()).as("reads for six callers, five of them arriving during the first").isEqualTo(2);
        assertThat(answers).hasSize(6).allMatch(SharedReads.Read::fresh);
        assertThat(answers.stream().filter(a -> a.value().state().equals("read 2")).count())
                .as("the callers that arrived during the first read got the one begun after their call").isEqualTo(5);
    }

    @Test
    void readsAreSharedOnlyBetweenCallsOfTheSameUserAndGroupsAndRunAsThatCaller() throws Exception {
        SharedReads<UpgradeRuns.Status> shared = shared(Duration.ofMillis(50));
        Authentication operator = new Authentication("operator1", List.of("operators"));
        Authentication auditor = new Authentication("auditor1", List.of("auditors"));
        current.set(operator);
        shared.read("U1", false);
        current.set(auditor);
        shared.read("U1", false);
        current.remove();
        assertThat(readAs).containsExactly("operator1", "auditor1");
        assertThat(shared.kept()).as("one latest answer per caller's rights").isEqualTo(2);

        // a slow read of the operator's is no answer for the auditor
        CountDownLatch slow = new CountDownLatch(1);
        hold.set(slow);
        current.set(operator);
        assertThat(shared.read("U1", false).fresh()).isFalse();
        current.set(auditor);
        Thread auditorCall = new Thread(() -> {
            current.set(auditor);
            shared.read("U1", true);
        });
        auditorCall.start();
        until(() -> readAs.size() == 4, "the auditor's own read to begin beside the operator's");
        assertThat(readAs.get(3)).isEqualTo("auditor1");
        hold.set(null);
        slow.countDown();
        auditorCall.join(10_000);
        current.remove();
        for (int i = 0; i < 4; i++) {
            assertThat(executor.submit(() -> current.get()).get(10, TimeUnit.SECONDS))
                    .as("a read thread keeps no caller's authentication after the read").isNull();
        }
    }

    @Test
    void unknownIdsKeepNothingAndAFailedReadReachesItsCaller() {
        SharedReads<UpgradeRuns.Status> shared = shared(Duration.ofSeconds(5));
        for (int i = 0; i < 200; i++) {
            assertThat(shared.read("missing-" + i, false).value()).isNull();
        }
        until(() -> shared.kept() == 0, "nothing kept for ids that name no upgrade");
        assertThatThrownBy(() -> shared.read("broken", false)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("database is gone");
        for (int i = 0; i < SharedReads.KEPT + 20; i++) {
            shared.read("U" + i, false);
        }
        assertThat(shared.kept()).as("the latest answers of at most %d upgrades", SharedReads.KEPT)
                .isLessThanOrEqualTo(SharedReads.KEPT + 1);
    }
}
