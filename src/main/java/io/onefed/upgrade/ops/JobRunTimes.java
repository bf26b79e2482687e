package io.onefed.upgrade.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long each job held its lock: from the moment the engine locked it until its transaction committed or failed
 * ({@link JobLockTimer} reports each one). That is the time that must stay below
 * {@code camunda.bpm.job-execution.lock-time-in-millis}: past it, a restarted or second node takes the job while it
 * still runs, and the first run's commit fails. An acquired job is locked at its acquisition, so the time it waited
 * behind the other jobs of its batch counts; a job the engine chains onto the one that created it (the next
 * exclusive job of the same process instance, run at once on the same thread) is locked afresh when it is created.
 * A job over half the lock time is logged as a warning with its activity.
 * Exported as {@code onefed_job_hold_seconds} (a timer: count, sum, max) and {@code onefed_job_hold_longest_seconds}
 * (the longest since the start).
 */
public class JobRunTimes implements MeterBinder {

    public static final String HOLD = "onefed.job.hold";
    public static final String LONGEST = "onefed.job.hold.longest";
    private static final Logger LOG = LoggerFactory.getLogger(JobRunTimes.class);

    private final Duration lockTime;
    private final AtomicLong longestNanos = new AtomicLong();
    private final AtomicLong jobs = new AtomicLong();
    private volatile Timer timer;

    public JobRunTimes(Duration lockTime) {
        this.lockTime = lockTime;
    }

    /** Records one job's hold, its wait before it ran unknown. */
    public void record(Duration hold, String activity) {
        record(hold, null, activity);
    }

    /**
     * Records one job's hold.
     *
     * @param hold from its lock to its end
     * @param waited from its lock to the start of its run (behind the other jobs of its batch, or for a thread),
     *     or null when unknown
     * @param activity the activity the job continued (for the warning), or null
     */
    public void record(Duration hold, Duration waited, String activity) {
        record(hold, waited, null, activity);
    }

    /**
     * Records one job's hold.
     *
     * @param committing from the end of its run to the end of its transaction (the engine's flush and the commit),
     *     or null when unknown
     */
    public void record(Duration hold, Duration waited, Duration committing, String activity) {
        long nanos = Math.max(0, hold.toNanos());
        jobs.incrementAndGet();
        longestNanos.accumulateAndGet(nanos, Math::max);
        Timer t = timer;
        if (t != null) {
            t.record(nanos, TimeUnit.NANOSECONDS);
        }
        if (nanos * 2 > lockTime.toNanos()) {
            LOG.warn("a job of activity '{}' held its lock for {} ms ({} ms of it before it ran, {} ms in its flush"
                    + " and commit), over half the job lock time ({} ms): a longer one would be taken over while it"
                    + " runs; bound its work or raise camunda.bpm.job-execution.lock-time-in-millis", activity,
                    nanos / 1_000_000, millis(waited), millis(committing), lockTime.toMillis());
        }
    }

    private static String millis(Duration d) {
        return d == null ? "?" : Long.toString(Math.max(0, d.toMillis()));
    }

    /** The longest hold since the start. */
    public Duration longest() {
        return Duration.ofNanos(longestNanos.get());
    }

    /** Jobs timed since the start. */
    public long jobs() {
        return jobs.get();
    }

    public Duration lockTime() {
        return lockTime;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        timer = Timer.builder(HOLD).description("How long each job held its lock (lock to commit)")
                .register(registry);
        Gauge.builder(LONGEST, longestNanos, n -> n.get() / 1e9).baseUnit("seconds")
                .description("The longest job hold since the start; must stay under half the job lock time")
                .register(registry);
    }
}
