package io.onefed.upgrade.steps;

import io.onefed.upgrade.ssh.DetachedRuns;
import io.onefed.upgrade.ssh.RunStatus;
import io.onefed.upgrade.ssh.SshException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Advances one step (groups of host commands, run group after group) through the exactly-once detached runs.
 * Each call starts or attaches to the runs of the current group and waits at most {@code pollBudget} in total,
 * counted from the lock of the job that calls it ({@link JobLock}), so an engine job never holds its lock for
 * long, however long it waited before it ran; the process calls it again until the step is done. A host that
 * does not answer a status request by the job's bound is asked again by the next call (its run is not touched). Starts stop
 * once the budget is spent (the next call starts the rest) and each start is given half a budget more at most, so one
 * call's remote work stays bounded on a slow host or in a wide group. A start on a host whose session is still
 * connecting is left to the next call (nothing ran; the connect goes on), and so is a start the host did not answer
 * in time: it is abandoned without a signal, its claim and launch finish on the host, and the next call's start
 * with the same key attaches. Past the same limit only hosts already connected are awaited;
 * the rest of the group is awaited by the next call.
 * Calling it again after a crash is safe by construction: every start with an existing key attaches.
 * A key the engine has already recorded as started is only awaited, never started again: if its run directory
 * is gone (wiped run dir, a reboot of a tmpfs, someone's clean-up), {@code start} would claim it afresh and run
 * the command a second time, so a vanished run fails the step for an operator to decide on instead.
 */
public class RemoteStepRunner {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RemoteStepRunner.class);

    private final DetachedRuns runs;
    private final Duration pollBudget;
    private final JobLock jobLock;
    private final Clock clock;
    private final java.util.concurrent.ExecutorService groupStarts;

    public RemoteStepRunner(DetachedRuns runs, Duration pollBudget) {
        this(runs, pollBudget, JobLock.NONE);
    }

    /** @param jobLock when the job running the advance took its lock: the budgets count from then */
    public RemoteStepRunner(DetachedRuns runs, Duration pollBudget, JobLock jobLock) {
        this(runs, pollBudget, jobLock, Clock.systemUTC());
    }

    RemoteStepRunner(DetachedRuns runs, Duration pollBudget, Clock clock) {
        this(runs, pollBudget, JobLock.NONE, clock);
    }

    RemoteStepRunner(DetachedRuns runs, Duration pollBudget, JobLock jobLock, Clock clock) {
        this(runs, pollBudget, jobLock, clock, GROUP_STARTS);
    }

    /** @param groupStarts runs a group's starts side by side (tests: one that runs them in the caller, in turn) */
    RemoteStepRunner(DetachedRuns runs, Duration pollBudget, JobLock jobLock, Clock clock,
            java.util.concurrent.ExecutorService groupStarts) {
        this.runs = runs;
        this.pollBudget = pollBudget;
        this.jobLock = jobLock;
        this.clock = clock;
        this.groupStarts = groupStarts;
    }

    public enum State { RUNNING, SUCCEEDED, FAILED }

    /**
     * Where the step stands, the record of every command started so far, the first failure if any, and every key
     * known to be started (those passed in plus those started now): the caller persists them with the step's
     * state and passes them to the next advance.
     */
    public record Progress(State state, List<CommandRecord> records, CommandRecord failure, Instant firstStarted,
            List<String> startedKeys) {
    }

    /** The first advance of a step, or one whose caller keeps no record of started keys. */
    public Progress advance(String keyPrefix, List<List<HostCommand>> groups) {
        return advance(keyPrefix, groups, Set.of());
    }

    /**
     * @param startedBefore keys an earlier advance started and the engine committed: awaited only. A key started
     *     but not committed (a crash in between) is started again, which attaches since its directory exists.
     */
    public Progress advance(String keyPrefix, List<List<HostCommand>> groups, Set<String> startedBefore) {
        return advance(keyPrefix, groups, startedBefore, true);
    }

    /**
     * A step's first advance that starts its runs and awaits none of them: run in the job that ended the step
     * before, so the next command starts without waiting for the job executor to acquire a job of the new step
     * (Camunda runs a job created by a job in the same thread only within one process instance). The step's own
     * poll job awaits the runs. Its starts keep the same bounds as any advance, counted from the running job's lock.
     */
    public Progress start(String keyPrefix, List<List<HostCommand>> groups) {
        return advance(keyPrefix, groups, Set.of(), false);
    }

    private Progress advance(String keyPrefix, List<List<HostCommand>> groups, Set<String> startedBefore,
            boolean awaitRuns) {
        Instant now = clock.instant();
        // the budgets count from the job's lock: a job that waited for a thread or behind its batch has spent
        // that wait already (a lock taken "later" than now is another node's clock: count from now)
        Instant from = jobLock.lockedAt().filter(lockedAt -> lockedAt.isBefore(now)).orElse(now);
        Instant deadline = from.plus(pollBudget);
        List<CommandRecord> records = new ArrayList<>();
        Set<String> startedKeys = new LinkedHashSet<>(startedBefore);
        Instant firstStarted = null;
        // starts stop at the budget (at least a second from now, so a late or zero-budget job still starts one
        // command), and a start may use half a budget more: a job's remote work stays within 1.5 budgets of its
        // lock, leaving the rest of half the lock time to the engine's flush and commit (up to 5 s measured on H2
        // at 100 slaves)
        Instant startCutoff = deadline.isAfter(now.plusSeconds(1)) ? deadline : now.plusSeconds(1);
        Instant jobEnd = from.plus(pollBudget.multipliedBy(3).dividedBy(2));
        Instant startLimit = jobEnd.isAfter(startCutoff) ? jobEnd : startCutoff;
        // past the start limit only connected hosts are asked, each answering within a few seconds; past this one
        // nobody is, so a wide group's status-only asks cannot add up past the job's bound
        Instant statusLimit = startLimit.plus(STATUS_ONLY_SPAN);
        // starts tried by this call, over all its groups: past the cutoff a later group waits for the next call
        int triedNow = 0;
        Spent spent = new Spent(keyPrefix, from, statusLimit);
        for (List<HostCommand> group : groups) {
            if (group.size() > 1) {
                // the group's new connections are made side by side before its starts, which then run side by side
                for (HostCommand hc : group) {
                    if (!startedBefore.contains(key(keyPrefix, hc))) {
                        runs.connectAhead(hc.target());
                    }
                }
            }
            List<RunStatus> started = new ArrayList<>();
            List<Integer> toStart = new ArrayList<>();
            boolean startsCut = false;
            boolean notReached = false;
            for (HostCommand hc : group) {
                String key = key(keyPrefix, hc);
                if (startedBefore.contains(key)) {
                    // null: known to be started, so the await below looks for it (and finds it gone, or not)
                    started.add(null);
                    startedKeys.add(key);
                    continue;
                }
                if (startsCut || (triedNow > 0 && clock.instant().isAfter(startCutoff))) {
                    // a wide group on slow hosts: the rest is started by the next poll, in a job of its own
                    startsCut = true;
                    started.add(NOT_STARTED);
                    continue;
                }
                triedNow++;
                toStart.add(started.size());
                started.add(NOT_STARTED);
            }
            List<Object> outcomes = startAll(keyPrefix, group, toStart, triedNow - toStart.size(), startCutoff,
                    startLimit, spent);
            for (int j = 0; j < toStart.size(); j++) {
                int i = toStart.get(j);
                if (outcomes.get(j) == CUT) {
                    // it could begin only past the cutoff (no thread was free): the next poll starts it
                    startsCut = true;
                } else if (outcomes.get(j) instanceof RunStatus s) {
                    started.set(i, s);
                    startedKeys.add(key(keyPrefix, group.get(i)));
                    firstStarted = earlier(firstStarted, s);
                } else {
                    // the host's new session is still connecting (or its channel opened late, or its start did not
                    // answer in time and was abandoned): the key stays unrecorded, so the next poll starts it
                    // again, which attaches if the host did get the claim. The group's other hosts are started
                    // meanwhile, so their connects go on side by side instead of one failed job per host (an
                    // incident after three)
                    notReached = true;
                }
            }
            boolean groupRunning = startsCut || notReached;
            CommandRecord failure = null;
            for (int i = 0; i < group.size(); i++) {
                HostCommand hc = group.get(i);
                String key = key(keyPrefix, hc);
                RunStatus s = started.get(i);
                if (s == NOT_STARTED) {
                    continue;
                }
                CommandRecord record;
                try {
                    if (!awaitRuns && (s == null || !s.isFinished())) {
                        // a start-only advance: the step's poll job awaits this run
                        if (s == null) {
                            groupRunning = true;
                            continue;
                        }
                    } else if ((s == null || !s.isFinished()) && clock.instant().isAfter(statusLimit)) {
                        // the job's bound is spent: the next call asks this host
                        groupRunning = true;
                        continue;
                    } else if ((s == null || !s.isFinished()) && clock.instant().isAfter(startLimit)) {
                        // past the limit an await on a host whose session is still connecting would wait for the
                        // connect (5 s each, in turn over a wide group): ask only hosts connected now, leave the
                        // others to the next poll, so one job's hold stays bounded
                        long t = System.nanoTime();
                        try {
                            s = runs.awaitIfConnected(hc.target(), key);
                        } catch (SshException.StillWaiting notConnectedYet) {
                            groupRunning = true;
                            continue;
                        } finally {
                            spent.await(t);
                        }
                    } else if (s == null || !s.isFinished()) {
                        // the long-poll ends at the budget, its answer by the start limit: a slow host's answer
                        // is asked again by the next poll rather than held on to past the job's bound
                        Instant at = clock.instant();
                        Duration left = at.isBefore(deadline) ? Duration.between(at, deadline) : Duration.ZERO;
                        long t = System.nanoTime();
                        try {
                            s = runs.await(hc.target(), key, left, Duration.between(at.plus(left), startLimit));
                        } catch (SshException.StillWaiting noAnswerYet) {
                            groupRunning = true;
                            continue;
                        } finally {
                            spent.await(t);
                        }
                    }
                    firstStarted = earlier(firstStarted, s);
                    record = CommandRecord.of(hc, key, s);
                } catch (SshException.NoSuchRun gone) {
                    // every key awaited here was started (now or by a committed advance): never claim it again
                    record = CommandRecord.vanished(hc, key);
                }
                records.add(record);
                if (record.vanished()) {
                    failure = failure == null ? record : failure;
                } else if (!s.isFinished()) {
                    groupRunning = true;
                } else if (!s.succeeded() && failure == null) {
                    failure = record;
                }
            }
            if (failure != null) {
                spent.logIfOver(clock.instant());
                return new Progress(State.FAILED, records, failure, firstStarted, List.copyOf(startedKeys));
            }
            if (groupRunning) {
                spent.logIfOver(clock.instant());
                return new Progress(State.RUNNING, records, null, firstStarted, List.copyOf(startedKeys));
            }
        }
        spent.logIfOver(clock.instant());
        return new Progress(State.SUCCEEDED, records, null, firstStarted, List.copyOf(startedKeys));
    }

    /**
     * Starts the group's hosts at {@code indexes}: side by side when there are several (a zone's hypervisor hosts),
     * so the last one's command does not wait for every start before it, each a round trip on its own session.
     * Returns, per index, the run's status, the {@link SshException.StillWaiting} of a host not reached yet, or
     * {@link #CUT} for a start that could only begin past the cutoff (the pool was full, so it ran after the others
     * in the job's thread) and was left to the next call, as a start in turn is. It returns only when every start
     * has ended (each is bounded by {@code startLimit}), so no start outlives the job; any other failure is thrown
     * after that, as a start in turn would have thrown it.
     *
     * @param triedBefore starts this call tried before these: the first start of a call always begins
     */
    private List<Object> startAll(String keyPrefix, List<HostCommand> group, List<Integer> indexes, int triedBefore,
            Instant startCutoff, Instant startLimit, Spent spent) {
        java.util.concurrent.atomic.AtomicInteger begun = new java.util.concurrent.atomic.AtomicInteger(triedBefore);
        List<java.util.concurrent.Callable<Object>> starts = new ArrayList<>();
        for (int i : indexes) {
            HostCommand hc = group.get(i);
            String key = key(keyPrefix, hc);
            starts.add(() -> {
                if (begun.getAndIncrement() > 0 && clock.instant().isAfter(startCutoff)) {
                    return CUT;
                }
                long t = System.nanoTime();
                try {
                    return runs.start(hc.target(), key, hc.command(), Duration.between(clock.instant(), startLimit));
                } catch (SshException.StillWaiting notReachedYet) {
                    return notReachedYet;
                } finally {
                    spent.start(t);
                }
            });
        }
        if (starts.size() == 1) {
            return List.of(call(starts.get(0)));
        }
        java.util.Map<String, String> mdc = org.slf4j.MDC.getCopyOfContextMap();
        List<java.util.concurrent.Future<Object>> futures = new ArrayList<>();
        for (java.util.concurrent.Callable<Object> start : starts) {
            futures.add(groupStarts.submit(() -> {
                // the job's log context (upgrade, zone, step); restored after, as a full pool runs it in the job
                java.util.Map<String, String> before = org.slf4j.MDC.getCopyOfContextMap();
                if (mdc != null) {
                    org.slf4j.MDC.setContextMap(mdc);
                }
                try {
                    return start.call();
                } finally {
                    if (before != null) {
                        org.slf4j.MDC.setContextMap(before);
                    } else {
                        org.slf4j.MDC.clear();
                    }
                }
            }));
        }
        List<Object> outcomes = new ArrayList<>();
        RuntimeException failed = null;
        boolean interrupted = false;
        for (java.util.concurrent.Future<Object> f : futures) {
            while (true) {
                try {
                    outcomes.add(f.get());
                    break;
                } catch (InterruptedException e) {
                    // the starts are bounded by the start limit: wait them out, then pass the interrupt on
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    failed = failed != null ? failed : e.getCause() instanceof RuntimeException r ? r
                            : new IllegalStateException(e.getCause());
                    outcomes.add(null);
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failed != null) {
            throw failed;
        }
        return outcomes;
    }

    /** A start left to the next call: it could begin only past the cutoff. */
    private static final Object CUT = new Object();

    private static Object call(java.util.concurrent.Callable<Object> start) {
        try {
            return start.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Threads for a group's starts while the job's thread waits for them: bounded, and a start that finds the pool
     * full runs in the job's thread (in turn, as before), never queued behind other zones' starts.
     */
    private static final java.util.concurrent.atomic.AtomicInteger GROUP_START_THREADS =
            new java.util.concurrent.atomic.AtomicInteger();

    private static final java.util.concurrent.ExecutorService GROUP_STARTS = new java.util.concurrent.ThreadPoolExecutor(
            0, 32, 30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(),
            r -> {
                Thread t = new Thread(r, "group-start-" + GROUP_START_THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            }, new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());

    /** How far past the status limit an advance may end before it is logged: the last status ask's own answer. */
    static final Duration OVERRUN_MARGIN = Duration.ofSeconds(3);

    /**
     * The time one advance spent in starts and in status asks, logged when the advance ended past its bound: the
     * split says whether many calls added up or one call ran long (which the SSH layer logs on its own).
     */
    private static final class Spent {
        private final String keyPrefix;
        private final Instant from;
        private final Instant bound;
        private int starts;
        private long startNanos;
        private int awaits;
        private long awaitNanos;

        Spent(String keyPrefix, Instant from, Instant statusLimit) {
            this.keyPrefix = keyPrefix;
            this.from = from;
            this.bound = statusLimit.plus(OVERRUN_MARGIN);
        }

        synchronized void start(long began) {
            starts++;
            startNanos += System.nanoTime() - began;
        }

        synchronized void await(long began) {
            awaits++;
            awaitNanos += System.nanoTime() - began;
        }

        synchronized void logIfOver(Instant now) {
            if (now.isAfter(bound)) {
                LOG.warn("the advance of step {} ended {} ms after its job's lock, {} ms past its bound: {} starts in"
                        + " {} ms, {} status asks in {} ms", keyPrefix, Duration.between(from, now).toMillis(),
                        Duration.between(bound, now).toMillis(), starts, startNanos / 1_000_000, awaits,
                        awaitNanos / 1_000_000);
            }
        }
    }

    /** How long past the start limit status-only asks may still begin (each one answers within 3 s). */
    static final Duration STATUS_ONLY_SPAN = Duration.ofSeconds(1);

    /** Marks a command whose start waits for the next poll (this one's budget is spent). */
    private static final RunStatus NOT_STARTED = new RunStatus("", RunStatus.State.RUNNING, null, null, null, false,
            null, null, null, false);

    private static Instant earlier(Instant first, RunStatus s) {
        return s == null || s.started() == null || (first != null && !s.started().isBefore(first)) ? first
                : s.started();
    }

    /** {@code <upgrade>-z<zone>-<step>-a<attempt>-<server>}: one key per host and attempt. */
    static String key(String keyPrefix, HostCommand hc) {
        return (keyPrefix + "-" + hc.target().serverName()).replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
