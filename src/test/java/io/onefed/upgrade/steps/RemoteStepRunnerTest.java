package io.onefed.upgrade.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.ssh.DetachedRuns;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.RunStatus;
import io.onefed.upgrade.ssh.SshException;
import io.onefed.upgrade.ssh.SshTarget;
import io.onefed.upgrade.testsupport.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The runner's part of exactly-once: keys the engine recorded as started are awaited, never started again. The
 * host is an in-memory run directory with the real protocol's semantics (start claims a missing key and runs the
 * command, attaches to a present one; await of a missing key is {@link SshException.NoSuchRun}).
 */
class RemoteStepRunnerTest {

    /** Run directories by key; {@code executions} counts how often a command really ran (its side effect). */
    static final class Host implements DetachedRuns {
        final Map<String, RunStatus> dirs = new ConcurrentHashMap<>();
        // a group's starts run side by side: the lists are written from several threads
        final List<String> executions = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> starts = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> awaits = java.util.Collections.synchronizedList(new ArrayList<>());
        /** Connects asked for ahead of the starts, and the starts, in order. */
        final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        boolean finishImmediately;

        @Override
        public void connectAhead(SshTarget target) {
            events.add("connect " + target.serverName());
        }

        @Override
        public synchronized RunStatus start(SshTarget target, String key, RemoteCommand command) {
            starts.add(key);
            events.add("start " + (target == null ? "?" : target.serverName()));
            RunStatus existing = dirs.get(key);
            if (existing != null) {
                return copy(existing, true);
            }
            executions.add(key);
            Instant now = Instant.now();
            RunStatus s = finishImmediately
                    ? new RunStatus(key, RunStatus.State.FINISHED, 0, "ok", "", false, "sha", now, now, false)
                    : new RunStatus(key, RunStatus.State.RUNNING, null, null, null, false, null, now, null, false);
            dirs.put(key, s);
            return s;
        }

        @Override
        public RunStatus await(SshTarget target, String key, Duration maxWait) {
            awaits.add(key);
            RunStatus s = dirs.get(key);
            if (s == null) {
                throw new SshException.NoSuchRun("no run with key " + key);
            }
            return copy(s, false);
        }

        void finish(String key) {
            RunStatus s = dirs.get(key);
            dirs.put(key, new RunStatus(key, RunStatus.State.FINISHED, 0, "done", "", false, "sha", s.started(),
                    Instant.now(), false));
        }

        private static RunStatus copy(RunStatus s, boolean attached) {
            return new RunStatus(s.key(), s.state(), s.exitStatus(), s.stdout(), s.stderr(), s.truncated(),
                    s.outputSha256(), s.started(), s.finished(), attached);
        }
    }

    static HostCommand on(String server, String command) {
        return new HostCommand(new SshTarget(0, "M-EU-FR", server, "10.0.0.1", 22, "root"), RemoteCommand.of(command));
    }

    final Host host = new Host();
    final RemoteStepRunner runner = new RemoteStepRunner(host, Duration.ZERO);

    /**
     * Hole: the run directory of a started run disappeared (run dir wiped) and the next advance's start claimed
     * the key afresh: {@code onedb restore} ran twice. Now the key is known, only awaited, and its absence fails
     * the step with a message that says the command may or may not have run.
     */
    @Test
    void aKnownKeyWhoseRunDirectoryVanishedFailsTheStepInsteadOfRunningAgain() {
        List<List<HostCommand>> groups = List.of(List.of(on("fe0", "onedb restore")));
        RemoteStepRunner.Progress first = runner.advance("U1-z0-restore-a1.1", groups);
        assertThat(first.state()).isEqualTo(RemoteStepRunner.State.RUNNING);
        assertThat(first.startedKeys()).containsExactly("U1-z0-restore-a1.1-fe0");

        host.dirs.clear(); // the host's run directory is wiped
        RemoteStepRunner.Progress next = runner.advance("U1-z0-restore-a1.1", groups, Set.copyOf(first.startedKeys()));

        assertThat(host.executions).as("the command ran once").containsExactly("U1-z0-restore-a1.1-fe0");
        assertThat(host.starts).as("a known key is not started again").hasSize(1);
        assertThat(next.state()).isEqualTo(RemoteStepRunner.State.FAILED);
        CommandRecord failure = next.failure();
        assertThat(failure.vanished()).isTrue();
        assertThat(failure.state()).isEqualTo(CommandRecord.VANISHED);
        assertThat(failure.summary()).contains("'onedb restore' on fe0")
                .contains("run directory of key U1-z0-restore-a1.1-fe0 on host root@10.0.0.1:22")
                .contains("disappeared after it was started").contains("may or may not have run")
                .contains("Check the host").contains("'retry'");
        assertThat(next.startedKeys()).containsExactly("U1-z0-restore-a1.1-fe0");
    }

    /** A key started but never committed (the engine crashed after the SSH start): started again, it attaches. */
    @Test
    void anUnknownKeyWhoseRunExistsAttaches() {
        List<List<HostCommand>> groups = List.of(List.of(on("fe0", "apt-get install")));
        runner.advance("U1-z0-pk-a1.1", groups); // its job's commit is lost
        RemoteStepRunner.Progress again = runner.advance("U1-z0-pk-a1.1", groups, Set.of());
        assertThat(again.state()).isEqualTo(RemoteStepRunner.State.RUNNING);
        assertThat(host.starts).as("started again").hasSize(2);
        assertThat(host.executions).as("but it attached").hasSize(1);
    }

    /** Known keys are awaited to their end; later groups start, and their keys join the known ones. */
    @Test
    void knownKeysAreAwaitedAndLaterGroupsStartOnce() {
        List<List<HostCommand>> groups = List.of(List.of(on("fe0", "stop"), on("fe1", "stop")),
                List.of(on("fe2", "start")));
        Set<String> known = new HashSet<>(runner.advance("U1-z0-s-a1.1", groups).startedKeys());
        assertThat(known).containsExactlyInAnyOrder("U1-z0-s-a1.1-fe0", "U1-z0-s-a1.1-fe1");
        host.finish("U1-z0-s-a1.1-fe0");
        assertThat(runner.advance("U1-z0-s-a1.1", groups, known).state()).isEqualTo(RemoteStepRunner.State.RUNNING);
        host.finish("U1-z0-s-a1.1-fe1");
        host.finishImmediately = true;
        RemoteStepRunner.Progress done = runner.advance("U1-z0-s-a1.1", groups, known);
        assertThat(done.state()).isEqualTo(RemoteStepRunner.State.SUCCEEDED);
        assertThat(done.startedKeys()).containsExactlyInAnyOrder("U1-z0-s-a1.1-fe0", "U1-z0-s-a1.1-fe1", "U1-z0-s-a1.1-fe2");
        assertThat(host.starts).as("known keys are not started again")
                .containsExactlyInAnyOrder("U1-z0-s-a1.1-fe0", "U1-z0-s-a1.1-fe1", "U1-z0-s-a1.1-fe2");
        assertThat(host.executions).hasSize(3);
    }

    /** A run that vanished between its start and its await in the same advance is not claimed again either. */
    @Test
    void aRunThatVanishesRightAfterItsStartFailsTheStep() {
        DetachedRuns wipedAfterStart = new DetachedRuns() {
            @Override
            public RunStatus start(SshTarget t, String key, RemoteCommand c) {
                RunStatus s = host.start(t, key, c);
                host.dirs.remove(key);
                return s;
            }

            @Override
            public RunStatus await(SshTarget t, String key, Duration maxWait) {
                return host.await(t, key, maxWait);
            }
        };
        RemoteStepRunner.Progress p = new RemoteStepRunner(wipedAfterStart, Duration.ZERO)
                .advance("U1-z0-r-a1.1", List.of(List.of(on("fe0", "onedb restore"))));
        assertThat(p.state()).isEqualTo(RemoteStepRunner.State.FAILED);
        assertThat(p.failure().vanished()).isTrue();
        assertThat(p.startedKeys()).containsExactly("U1-z0-r-a1.1-fe0");
        assertThat(host.executions).hasSize(1);
    }

    /**
     * Issue 15: a job must stay well inside its lock. Starts on slow hosts (3 s each here, on a clock the host
     * moves) stop once the 4 s budget is spent, each start is given the rest of the budget plus half a budget, and
     * the next advance starts the rest: every command once, no advance past 1.5 budgets.
     */
    @Test
    void startsOnSlowHostsStopAtTheBudgetAndTheNextAdvanceStartsTheRest() {
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
        List<Duration> given = new ArrayList<>();
        DetachedRuns slow = new DetachedRuns() {
            @Override
            public RunStatus start(SshTarget target, String key, RemoteCommand command) {
                throw new AssertionError("the runner gives every start its time limit");
            }

            @Override
            public RunStatus start(SshTarget target, String key, RemoteCommand command, Duration maxTime) {
                given.add(maxTime);
                clock.advance(Duration.ofSeconds(3));
                return host.start(target, key, command);
            }

            @Override
            public RunStatus await(SshTarget target, String key, Duration maxWait) {
                return host.await(target, key, maxWait);
            }
        };
        // no thread free for the group's starts: they run in the job's thread, in turn
        RemoteStepRunner bounded = new RemoteStepRunner(slow, Duration.ofSeconds(4), JobLock.NONE, clock, IN_TURN);
        List<List<HostCommand>> groups = List.of(List.of(on("n1", "upgrade"), on("n2", "upgrade"), on("n3", "upgrade"),
                on("n4", "upgrade")));

        Instant t0 = clock.instant();
        RemoteStepRunner.Progress first = bounded.advance("U1-z0-nodes-a1.1", groups);
        assertThat(first.state()).isEqualTo(RemoteStepRunner.State.RUNNING);
        assertThat(first.startedKeys()).as("started before the budget ran out")
                .containsExactly("U1-z0-nodes-a1.1-n1", "U1-z0-nodes-a1.1-n2");
        assertThat(given).containsExactly(Duration.ofSeconds(6), Duration.ofSeconds(3));
        assertThat(Duration.between(t0, clock.instant())).isLessThanOrEqualTo(Duration.ofSeconds(6));

        RemoteStepRunner.Progress second = bounded.advance("U1-z0-nodes-a1.1", groups, Set.copyOf(first.startedKeys()));
        assertThat(second.startedKeys()).hasSize(4);
        assertThat(host.executions).as("each command once").containsExactly("U1-z0-nodes-a1.1-n1",
                "U1-z0-nodes-a1.1-n2", "U1-z0-nodes-a1.1-n3", "U1-z0-nodes-a1.1-n4");
        assertThat(host.starts).as("a started key is not started again").hasSize(4);
    }

    /**
     * Issue 15: an advance that ends past its bound (here a host that took 20 s to answer a start, past every
     * limit the runner sets) is logged with the step and where the time went, so the operator who sees a job taken
     * over while it ran can tell many slow calls from one hung host. Within its bound nothing is logged.
     */
    @Test
    void anAdvancePastItsBoundIsLoggedWithItsCalls() {
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
        Duration[] startTakes = {Duration.ofSeconds(20)};
        DetachedRuns hung = new DetachedRuns() {
            @Override
            public RunStatus start(SshTarget target, String key, RemoteCommand command) {
                throw new AssertionError("the runner gives every start its time limit");
            }

            @Override
            public RunStatus start(SshTarget target, String key, RemoteCommand command, Duration maxTime) {
                clock.advance(startTakes[0]);
                return host.start(target, key, command);
            }

            @Override
            public RunStatus await(SshTarget target, String key, Duration maxWait) {
                return host.await(target, key, maxWait);
            }
        };
        RemoteStepRunner bounded = new RemoteStepRunner(hung, Duration.ofSeconds(4), clock);
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger(RemoteStepRunner.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            bounded.advance("U1-z0-hung-a1.1", List.of(List.of(on("fe0", "upgrade"))));
            assertThat(logged.list).singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
                assertThat(e.getFormattedMessage()).startsWith("the advance of step U1-z0-hung-a1.1 ended 20000 ms"
                        + " after its job's lock, 10000 ms past its bound: 1 starts in ").contains("0 status asks");
            });

            logged.list.clear();
            startTakes[0] = Duration.ofSeconds(1);
            bounded.advance("U1-z0-quick-a1.1", List.of(List.of(on("fe0", "upgrade"))));
            assertThat(logged.list).as("an advance within its bound").isEmpty();
        } finally {
            logger.detachAppender(logged);
        }
    }

    /**
     * Issue 15: an await on a host whose new SSH session is still connecting waits for the connect (3.4 s here, on a
     * clock the host moves). Past the start limit (budget + half a budget) only hosts connected already are asked; the
     * others are left to the next advance, by when their background connect is done. No advance holds its job much
     * past 1.5 budgets however wide the group, every command is awaited in the end, none started twice.
     */
    @Test
    void pastTheStartLimitOnlyConnectedHostsAreAwaitedAndTheNextAdvanceAwaitsTheRest() {
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
        Set<String> connected = new HashSet<>();
        List<String> waitedForConnect = new ArrayList<>();
        DetachedRuns slowToConnect = new DetachedRuns() {
            @Override
            public RunStatus start(SshTarget target, String key, RemoteCommand command) {
                return host.start(target, key, command);
            }

            @Override
            public RunStatus await(SshTarget target, String key, Duration maxWait) {
                if (connected.add(target.serverName())) {
                    waitedForConnect.add(target.serverName());
                    clock.advance(Duration.ofMillis(3400));
                }
                return host.await(target, key, maxWait);
            }

            @Override
            public RunStatus awaitIfConnected(SshTarget target, String key) {
                if (!connected.contains(target.serverName())) {
                    connected.add(target.serverName()); // its connect goes on in the background
                    throw new SshException.StillWaiting("SSH connect to " + target.serverName() + " still under way");
                }
                return host.await(target, key, Duration.ZERO);
            }
        };
        RemoteStepRunner bounded = new RemoteStepRunner(slowToConnect, Duration.ofSeconds(4), clock);
        List<String> hosts = List.of("n1", "n2", "n3", "n4", "n5", "n6");
        List<List<HostCommand>> groups = List.of(hosts.stream().map(h -> on(h, "upgrade")).toList());
        Set<String> started = new HashSet<>();
        for (String h : hosts) {
            started.add("U1-z0-nodes-a1.1-" + h);
            host.start(null, "U1-z0-nodes-a1.1-" + h, RemoteCommand.of("upgrade"));
            host.finish("U1-z0-nodes-a1.1-" + h);
        }
        host.executions.clear();

        Instant t0 = clock.instant();
        RemoteStepRunner.Progress first = bounded.advance("U1-z0-nodes-a1.1", groups, started);
        assertThat(first.state()).as("hosts still connecting are left to the next advance")
                .isEqualTo(RemoteStepRunner.State.RUNNING);
        assertThat(waitedForConnect).as("connects waited for until the start limit (6 s), not one per host")
                .containsExactly("n1", "n2");
        assertThat(Duration.between(t0, clock.instant())).isLessThanOrEqualTo(Duration.ofSeconds(7));

        RemoteStepRunner.Progress second = bounded.advance("U1-z0-nodes-a1.1", groups, started);
        assertThat(second.state()).isEqualTo(RemoteStepRunner.State.SUCCEEDED);
        assertThat(second.records()).hasSize(6);
        assertThat(host.executions).as("awaited, never started again").isEmpty();
    }

    /**
     * Issue 15: at 100 slaves jobs waited seconds for a thread before they ran, then spent a full budget each, and
     * an await's answer on a loaded host was given 30 s: the longest job held 32.7 s of its 20 s lock. Here the job
     * took its lock 6 s before the advance (4 s budget): its one start is all it does before handing over, the
     * await is only a status read over a connected session, and the hold from the lock stays within 1.5 budgets
     * plus the second every late job gets to start something.
     */
    @Test
    void aJobThatWaitedBeforeItRanCountsItsBudgetFromItsLock() {
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:06Z"));
        Instant lockedAt = Instant.parse("2026-01-01T00:00:00Z");
        List<Duration> startTimes = new ArrayList<>();
        List<Duration> waits = new ArrayList<>();
        List<Duration> margins = new ArrayList<>();
        List<String> statusOnly = new ArrayList<>();
        DetachedRuns slow = new DetachedRuns() {
            @Override
            public RunStatus start(SshTarget target, String key, RemoteCommand command) {
                throw new AssertionError("the runner gives every start its time limit");
            }

            @Override
            public RunStatus start(SshTarget target, String key, RemoteCommand command, Duration maxTime) {
                startTimes.add(maxTime);
                clock.advance(Duration.ofMillis(1500));
                return host.start(target, key, command);
            }

            @Override
            public RunStatus await(SshTarget target, String key, Duration maxWait) {
                throw new AssertionError("the runner bounds every await's answer");
            }

            @Override
            public RunStatus await(SshTarget target, String key, Duration maxWait, Duration answerMargin) {
                waits.add(maxWait);
                margins.add(answerMargin);
                return host.await(target, key, maxWait);
            }

            @Override
            public RunStatus awaitIfConnected(SshTarget target, String key) {
                statusOnly.add(target.serverName());
                return host.await(target, key, Duration.ZERO);
            }
        };
        RemoteStepRunner late = new RemoteStepRunner(slow, Duration.ofSeconds(4), () -> java.util.Optional.of(lockedAt),
                clock, IN_TURN);
        List<List<HostCommand>> groups = List.of(List.of(on("n1", "upgrade"), on("n2", "upgrade")));

        RemoteStepRunner.Progress first = late.advance("U1-z0-nodes-a1.1", groups);
        assertThat(first.state()).isEqualTo(RemoteStepRunner.State.RUNNING);
        assertThat(first.startedKeys()).as("one start, the rest left to the next job")
                .containsExactly("U1-z0-nodes-a1.1-n1");
        assertThat(startTimes).as("lock + 6 s is past: the start gets the one second to now + 1 s")
                .containsExactly(Duration.ofSeconds(1));
        assertThat(waits).as("past the start limit: no long-poll, no wait for an answer").isEmpty();
        assertThat(statusOnly).as("only asked over a connected session").containsExactly("n1");
        assertThat(Duration.between(lockedAt, clock.instant())).isLessThanOrEqualTo(Duration.ofMillis(7500));

        // a job that ran at once, same budget: the long-poll to lock + 4 s, the answer by lock + 6 s
        MovableClock onTime = new MovableClock(Instant.parse("2026-01-01T00:10:00.500Z"));
        waits.clear();
        margins.clear();
        RemoteStepRunner prompt = new RemoteStepRunner(new DetachedRuns() {
            @Override
            public RunStatus start(SshTarget target, String key, RemoteCommand command) {
                return host.start(target, key, command);
            }

            @Override
            public RunStatus await(SshTarget target, String key, Duration maxWait) {
                throw new AssertionError("the runner bounds every await's answer");
            }

            @Override
            public RunStatus await(SshTarget target, String key, Duration maxWait, Duration answerMargin) {
                waits.add(maxWait);
                margins.add(answerMargin);
                return host.await(target, key, maxWait);
            }
        }, Duration.ofSeconds(4), () -> java.util.Optional.of(Instant.parse("2026-01-01T00:10:00Z")), onTime);
        prompt.advance("U1-z0-nodes-a1.1", groups, Set.copyOf(first.startedKeys()));
        assertThat(waits).first().isEqualTo(Duration.ofMillis(3500));
        assertThat(margins).first().isEqualTo(Duration.ofSeconds(2));
        assertThat(host.executions).as("each command once").containsExactly("U1-z0-nodes-a1.1-n1",
                "U1-z0-nodes-a1.1-n2");
    }

    /**
     * A host that does not answer a status request by the job's bound (a loaded host, a slow link) is no failure:
     * the advance reports RUNNING without a record for it, the job ends in time, and the next advance asks again.
     */
    @Test
    void anAwaitWithoutAnAnswerInTimeIsAskedAgainByTheNextAdvance() {
        boolean[] slowAnswer = {true};
        DetachedRuns loaded = new DetachedRuns() {
            @Override
            public RunStatus start(SshTarget target, String key, RemoteCommand command) {
                return host.start(target, key, command);
            }

            @Override
            public RunStatus await(SshTarget target, String key, Duration maxWait) {
                if (slowAnswer[0]) {
                    throw new SshException.StillWaiting("no answer from " + target.serverName() + " in time");
                }
                return host.await(target, key, maxWait);
            }
        };
        RemoteStepRunner runner = new RemoteStepRunner(loaded, Duration.ZERO);
        List<List<HostCommand>> groups = List.of(List.of(on("n1", "upgrade")));
        RemoteStepRunner.Progress first = runner.advance("U1-z0-nodes-a1.1", groups);
        assertThat(first.state()).isEqualTo(RemoteStepRunner.State.RUNNING);
        assertThat(first.failure()).isNull();
        assertThat(first.records()).as("nothing is known of the run yet").isEmpty();
        assertThat(first.startedKeys()).containsExactly("U1-z0-nodes-a1.1-n1");

        host.finish("U1-z0-nodes-a1.1-n1");
        slowAnswer[0] = false;
        RemoteStepRunner.Progress second = runner.advance("U1-z0-nodes-a1.1", groups, Set.copyOf(first.startedKeys()));
        assertThat(second.state()).isEqualTo(RemoteStepRunner.State.SUCCEEDED);
        assertThat(second.records()).extracting(CommandRecord::key).containsExactly("U1-z0-nodes-a1.1-n1");
        assertThat(host.executions).as("started once, awaited again").containsExactly("U1-z0-nodes-a1.1-n1");
    }

    /**
     * Issue 15: at 100 slaves the hypervisor hosts of a zone were first reached in its upgrade-nodes step, each one a
     * new SSH connect on a loaded machine. A start that found its host's session still connecting failed the job,
     * the retry got one host further and failed on the next: three hosts, an incident. Now a host not reached yet
     * is left to the next advance and the others are started meanwhile; each command runs once, no job fails.
     */
    @Test
    void aHostStillConnectingIsLeftToTheNextAdvanceAndTheOthersStartMeanwhile() {
        Set<String> connecting = java.util.concurrent.ConcurrentHashMap.newKeySet();
        connecting.addAll(Set.of("kvm1", "kvm3"));
        DetachedRuns someConnecting = new DetachedRuns() {
            @Override
            public RunStatus start(SshTarget target, String key, RemoteCommand command) {
                if (connecting.remove(target.serverName())) {
                    throw new SshException.StillWaiting("SSH connect to " + target.serverName() + " still under way");
                }
                return host.start(target, key, command);
            }

            @Override
            public RunStatus await(SshTarget target, String key, Duration maxWait) {
                return host.await(target, key, maxWait);
            }
        };
        RemoteStepRunner runner = new RemoteStepRunner(someConnecting, Duration.ZERO);
        List<List<HostCommand>> groups = List.of(List.of(on("kvm1", "upgrade"), on("kvm2", "upgrade"),
                on("kvm3", "upgrade")));

        RemoteStepRunner.Progress first = runner.advance("U1-z0-nodes-a1.1", groups);
        assertThat(first.state()).isEqualTo(RemoteStepRunner.State.RUNNING);
        assertThat(first.failure()).isNull();
        assertThat(first.startedKeys()).as("only what reached its host is recorded")
                .containsExactly("U1-z0-nodes-a1.1-kvm2");

        RemoteStepRunner.Progress second = runner.advance("U1-z0-nodes-a1.1", groups, Set.copyOf(first.startedKeys()));
        assertThat(second.startedKeys()).hasSize(3);
        assertThat(host.executions).as("each command once").containsExactlyInAnyOrder("U1-z0-nodes-a1.1-kvm1",
                "U1-z0-nodes-a1.1-kvm2", "U1-z0-nodes-a1.1-kvm3");
    }

    /**
     * Issue 15: the start cutoff held within a group only, so a call whose first group ended late still began the
     * next group's start (5 s at least on a slow host) and its awaits: jobs ran 26 s past their lock at 100 slaves.
     * Past the cutoff the next group waits for the next call, however many groups the step has.
     */
    @Test
    void pastTheCutoffTheNextGroupIsLeftToTheNextCall() {
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
        host.finishImmediately = true;
        DetachedRuns slowStart = new DetachedRuns() {
            @Override
            public RunStatus start(SshTarget target, String key, RemoteCommand command) {
                throw new AssertionError("the runner gives every start its time limit");
            }

            @Override
            public RunStatus start(SshTarget target, String key, RemoteCommand command, Duration maxTime) {
                clock.advance(Duration.ofSeconds(5));
                return host.start(target, key, command);
            }

            @Override
            public RunStatus await(SshTarget target, String key, Duration maxWait) {
                return host.await(target, key, maxWait);
            }
        };
        RemoteStepRunner runner = new RemoteStepRunner(slowStart, Duration.ofSeconds(4), clock);
        List<List<HostCommand>> groups = List.of(List.of(on("n1", "stop")), List.of(on("n1-b", "verify")));

        RemoteStepRunner.Progress first = runner.advance("U1-z0-stop-a1.1", groups);
        assertThat(first.state()).isEqualTo(RemoteStepRunner.State.RUNNING);
        assertThat(first.startedKeys()).containsExactly("U1-z0-stop-a1.1-n1");
        assertThat(Duration.between(Instant.parse("2026-01-01T00:00:00Z"), clock.instant()))
                .isEqualTo(Duration.ofSeconds(5));

        RemoteStepRunner.Progress second = runner.advance("U1-z0-stop-a1.1", groups, Set.copyOf(first.startedKeys()));
        assertThat(second.state()).isEqualTo(RemoteStepRunner.State.SUCCEEDED);
        assertThat(host.executions).containsExactly("U1-z0-stop-a1.1-n1", "U1-z0-stop-a1.1-n1-b");
    }

    /**
     * The start-only advance ("Start the step's commands", in the job that ended the step before) starts the
     * step's runs and awaits none: the step's own poll job awaits them as known keys, and never starts them again.
     */
    @Test
    void aStartOnlyAdvanceStartsTheRunsAndAwaitsNone() {
        List<List<HostCommand>> groups = List.of(List.of(on("fe0", "onedb upgrade -v"), on("fe1", "onedb upgrade -v")));
        RemoteStepRunner.Progress started = runner.start("U1-z0-db-a1.1", groups);

        assertThat(started.state()).isEqualTo(RemoteStepRunner.State.RUNNING);
        assertThat(started.startedKeys()).containsExactly("U1-z0-db-a1.1-fe0", "U1-z0-db-a1.1-fe1");
        assertThat(started.records()).as("the started runs are on record").hasSize(2);
        assertThat(host.awaits).as("nothing awaited").isEmpty();

        host.finish("U1-z0-db-a1.1-fe0");
        host.finish("U1-z0-db-a1.1-fe1");
        RemoteStepRunner.Progress polled = runner.advance("U1-z0-db-a1.1", groups, Set.copyOf(started.startedKeys()));
        assertThat(polled.state()).isEqualTo(RemoteStepRunner.State.SUCCEEDED);
        assertThat(host.starts).as("the poll only awaits").hasSize(2);
        assertThat(host.executions).hasSize(2);
    }

    /** A command that ends before its start answers is the step's outcome at once, later groups started too. */
    @Test
    void aStartOnlyAdvanceOfCommandsThatEndAtOnceEndsTheStep() {
        host.finishImmediately = true;
        List<List<HostCommand>> groups = List.of(List.of(on("fe0", "true")), List.of(on("fe1", "true")));
        RemoteStepRunner.Progress started = runner.start("U1-z0-t-a1.1", groups);
        assertThat(started.state()).isEqualTo(RemoteStepRunner.State.SUCCEEDED);
        assertThat(host.executions).containsExactly("U1-z0-t-a1.1-fe0", "U1-z0-t-a1.1-fe1");
        assertThat(host.awaits).isEmpty();
    }

    /** A group's connections are asked for first, side by side, then its starts run; not a lone host's. */
    @Test
    void aGroupsNewConnectionsAreMadeAheadOfItsStarts() {
        runner.start("U1-z0-nodes-a1.1", List.of(List.of(on("kvm0", "apt-get install"), on("kvm1", "apt-get install"))));
        assertThat(host.events).hasSize(4).startsWith("connect kvm0", "connect kvm1");
        assertThat(host.events.subList(2, 4)).containsExactlyInAnyOrder("start kvm0", "start kvm1");
        host.events.clear();
        runner.start("U1-z0-db-a1.1", List.of(List.of(on("fe0", "onedb upgrade"))));
        assertThat(host.events).containsExactly("start fe0");
    }

    interface Start {
        RunStatus start(SshTarget target, String key, RemoteCommand command);
    }

    /** Hosts whose starts do {@code start}; their runs are {@link #host}'s, awaited there. */
    DetachedRuns startingWith(Start start) {
        return new DetachedRuns() {
            @Override
            public RunStatus start(SshTarget target, String key, RemoteCommand command) {
                return start.start(target, key, command);
            }

            @Override
            public RunStatus await(SshTarget target, String key, Duration maxWait) {
                return host.await(target, key, maxWait);
            }
        };
    }

    /** Runs every task in the caller's thread at once: a group start pool with no thread free. */
    static final java.util.concurrent.ExecutorService IN_TURN = new java.util.concurrent.AbstractExecutorService() {
        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit) {
            return true;
        }
    };

    /**
     * Issue 15: a zone's hypervisor hosts were started one after another, each start a round trip on its own
     * session (0.15 s at 1 slave, 0.5 s at 10 here), so the last host's command began that much later. Now a
     * group's starts run side by side: each start here returns only once all three are under way at once (a latch
     * with a deadline), which starts in turn never reach. Each command still runs once.
     */
    @Test
    void aGroupsStartsRunSideBySide() {
        java.util.concurrent.CountDownLatch allUnderWay = new java.util.concurrent.CountDownLatch(3);
        List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
        DetachedRuns meetingHosts = startingWith((target, key, command) -> {
            threads.add(Thread.currentThread().getName());
            allUnderWay.countDown();
            try {
                if (!allUnderWay.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new SshException("the other starts never began beside this one");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SshException("interrupted");
            }
            return host.start(target, key, command);
        });
        RemoteStepRunner sideBySide = new RemoteStepRunner(meetingHosts, Duration.ofSeconds(4));
        List<List<HostCommand>> groups = List.of(List.of(on("kvm0", "upgrade"), on("kvm1", "upgrade"),
                on("kvm2", "upgrade")));

        RemoteStepRunner.Progress started = sideBySide.start("U1-z0-nodes-a1.1", groups);
        assertThat(started.state()).isEqualTo(RemoteStepRunner.State.RUNNING);
        assertThat(started.startedKeys()).as("recorded in the group's order").containsExactly(
                "U1-z0-nodes-a1.1-kvm0", "U1-z0-nodes-a1.1-kvm1", "U1-z0-nodes-a1.1-kvm2");
        assertThat(threads).hasSize(3).doesNotHaveDuplicates();
        assertThat(host.executions).containsExactlyInAnyOrder("U1-z0-nodes-a1.1-kvm0", "U1-z0-nodes-a1.1-kvm1",
                "U1-z0-nodes-a1.1-kvm2");
    }

    /**
     * A start that fails outright (not a host still connecting) fails the advance as a start in turn did, but only
     * after the group's other starts have ended: no start outlives the job that began it.
     */
    @Test
    void aFailedStartInAGroupFailsTheAdvanceOnceTheOtherStartsHaveEnded() {
        java.util.concurrent.CountDownLatch othersBegan = new java.util.concurrent.CountDownLatch(2);
        List<String> ended = java.util.Collections.synchronizedList(new ArrayList<>());
        DetachedRuns oneRefuses = startingWith((target, key, command) -> {
            if (target.serverName().equals("kvm1")) {
                throw new SshException("kvm1: connection refused");
            }
            othersBegan.countDown();
            try {
                // the failing start is long over by now: the advance must still wait for this one
                othersBegan.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            RunStatus s = host.start(target, key, command);
            ended.add(target.serverName());
            return s;
        });
        RemoteStepRunner runner = new RemoteStepRunner(oneRefuses, Duration.ofSeconds(4));
        List<List<HostCommand>> groups = List.of(List.of(on("kvm0", "upgrade"), on("kvm1", "upgrade"),
                on("kvm2", "upgrade")));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runner.advance("U1-z0-nodes-a1.1", groups))
                .isInstanceOf(SshException.class).hasMessageContaining("kvm1: connection refused");
        assertThat(ended).as("the other starts had ended when the advance failed")
                .containsExactlyInAnyOrder("kvm0", "kvm2");

        // the retry attaches to the two that ran and starts the third once
        RemoteStepRunner retry = new RemoteStepRunner(host, Duration.ZERO);
        assertThat(retry.advance("U1-z0-nodes-a1.1", groups).startedKeys()).hasSize(3);
        assertThat(host.executions).containsExactlyInAnyOrder("U1-z0-nodes-a1.1-kvm0", "U1-z0-nodes-a1.1-kvm1",
                "U1-z0-nodes-a1.1-kvm2");
    }
}
