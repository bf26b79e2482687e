package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.JobLock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a new step's commands may start in the engine job that is running on this thread (the one that ended
 * the step before) instead of in the step's own first job. Camunda runs a job created by a job at once, in the
 * same thread, only within one process instance; every step is an instance of its own, so its first job waits
 * for the job executor's acquisition, its lock and its commit before its command starts (issue 15: about a
 * fifth of the step-to-step delay). Yes only
 * <ul>
 * <li>inside a job with a lock: not in an HTTP request (an operator's decision must not wait on SSH), not in a
 * job run by hand;</li>
 * <li>inside a poll of the step before ("Run the step's commands", the one boundary every step has), the zone's API
 * check that comes before its hosts' step, or the job that starts one zone's stop or upgrade (its first step: each
 * zone starts in a job of its own, see "Zone stop requested"): not in the jobs that fan a federation out (they
 * create a hundred zones in one transaction), nor in a copy;</li>
 * <li>in a job that began to run within a quarter of the poll budget of its lock (1 s of 4 s): on a loaded service
 * jobs wait for a thread before they run and their SSH calls answer late, and the next step starts in its own job
 * instead of lengthening this one. Its long-poll may have waited out most of the budget for the command to end
 * (that wait costs nothing), but no more than a budget and a quarter since the lock (an answer that came late):
 * the start keeps within the bound every advance keeps (1.5 budgets from the lock, at least a second), well
 * inside half the lock. Where the job's start to run is not known, at most a quarter budget since its lock;</li>
 * <li>once per job: a step whose commands end as they start ends in the same job, and the step after it is left
 * to its own job, so one job never runs a chain of steps.</li>
 * </ul>
 */
final class EarlyStart {

    private final JobLock jobLock;
    private final Duration pollBudget;
    private final Clock clock;
    /**
     * The activities whose jobs may start the next step: the poll of the step before, the zone's API check, and the
     * start of one zone's stop or upgrade.
     */
    static final java.util.Set<String> STARTING_ACTIVITIES = java.util.Set.of("RunStepCommands", "CheckZoneApi",
            "ZoneStopRequested", "ZoneUpgradeRequested");

    /** The job this thread last started a step in (threads of the job executor run one job at a time). */
    private final ThreadLocal<String> lastJob = new ThreadLocal<>();

    EarlyStart(JobLock jobLock, Duration pollBudget, Clock clock) {
        this.jobLock = jobLock;
        this.pollBudget = pollBudget;
        this.clock = clock;
    }

    /** True once per job when the step may start here; the caller then starts it. */
    boolean claim() {
        Optional<Instant> lockedAt = jobLock.lockedAt();
        Optional<String> job = jobLock.jobId();
        if (lockedAt.isEmpty() || job.isEmpty() || jobLock.activityId().filter(STARTING_ACTIVITIES::contains).isEmpty()) {
            return false;
        }
        Duration quarter = pollBudget.dividedBy(4);
        Duration sinceLock = Duration.between(lockedAt.get(), clock.instant());
        Optional<Instant> ranFrom = jobLock.ranFrom();
        if (ranFrom.isEmpty() ? sinceLock.compareTo(quarter) > 0
                : Duration.between(lockedAt.get(), ranFrom.get()).compareTo(quarter) > 0
                        || sinceLock.compareTo(pollBudget.plus(quarter)) > 0) {
            return false;
        }
        if (job.get().equals(lastJob.get())) {
            return false;
        }
        lastJob.set(job.get());
        return true;
    }
}
