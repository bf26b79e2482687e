package io.onefed.upgrade.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.federation.SshProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A connect ends on its connector thread, and its completion (which puts the new session into the pool) needs the
 * pool's lock. A caller that held the lock then, found the connect done and looked for its session again at once,
 * without letting go of the lock: the completion could never run, so the caller spun forever with the lock held
 * and every other call to that host blocked behind it (the 100-slave benchmark of 2026-12-03: 89 job threads
 * blocked on the master's pool while its 100 backup copies started, one thread at 200 CPU-seconds, the upgrade
 * stuck). Here sixteen callers with no time to wait keep taking the lock while the connect ends, as 100 copies did.
 */
class ConnectCompletionRaceTest {

    @Test
    void callersThatFindTheConnectDoneLetItsSessionIntoThePool() throws Exception {
        try (SshFixture fx = SshFixture.start("connect-race")) {
            SshProperties base = fx.props();
            for (int round = 0; round < 10; round++) {
                try (JschSessions sessions = new JschSessions(new SshProperties(base.privateKey(), null,
                        base.knownHosts(), false, Duration.ofSeconds(10), Duration.ofSeconds(20)),
                        SshFixture.secrets(Map.of()))) {
                    SshTarget target = fx.target();
                    AtomicBoolean stop = new AtomicBoolean();
                    AtomicInteger leases = new AtomicInteger();
                    java.util.concurrent.CountDownLatch twenty = new java.util.concurrent.CountDownLatch(20);
                    List<Thread> callers = new ArrayList<>();
                    for (int i = 0; i < 16; i++) {
                        Thread t = new Thread(() -> {
                            while (!stop.get()) {
                                try (JschSessions.ChannelLease lease = sessions.open(target, "session", c -> { },
                                        Duration.ZERO)) {
                                    leases.incrementAndGet();
                                    twenty.countDown();
                                } catch (SshException notYet) {
                                    // still connecting, or its channels busy: ask again, as a poll does
                                }
                            }
                        }, "caller-" + round + "-" + i);
                        t.setDaemon(true);
                        callers.add(t);
                        t.start();
                    }
                    twenty.await(20, java.util.concurrent.TimeUnit.SECONDS);
                    stop.set(true);
                    for (Thread t : callers) {
                        t.join(10_000);
                    }
                    assertThat(callers).as("round %d: every caller returned (none spins holding the pool's lock)", round)
                            .noneMatch(Thread::isAlive);
                    assertThat(leases.get()).as("round %d: channels opened once the session was up", round)
                            .isGreaterThanOrEqualTo(20);
                }
            }
        }
    }
}
