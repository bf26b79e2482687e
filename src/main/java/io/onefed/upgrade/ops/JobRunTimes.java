package io.onefed.upgrade.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.TaskDecorator;

/**
 * How long the job executor holds each batch of jobs it acquired, from the moment the acquisition hands the batch
 * to the executor's pool (its jobs are locked then) until its last job ends: queue wait included, since the lock
 * runs meanwhile. A batch is one job or the exclusive jobs of one process instance, all locked at once, so this is
 * the time that must stay below {@code camunda.bpm.job-execution.lock-time-in-millis}: past it, a restarted or
 * second node takes the job while it still runs. A batch over half the lock time is logged as a warning.
 * Exported as {@code onefed_job_hold_seconds} (a timer: count, sum, max) and {@code onefed_job_hold_longest_seconds}
 * (the longest since the start).
 */
public class JobRunTimes implements TaskDecorator, MeterBinder {

    public static final String HOLD = "onefed.job.hold";
    public static final String LONGEST = "onefed.job.hold.longest";
    private static final Logger LOG = LoggerFactory.getLogger(JobRunTimes.class);

    private final Duration lockTime;
    private final LongSupplier nanoTime;
    private final AtomicLong longestNanos = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private volatile Timer timer;

    public JobRunTimes(Duration lockTime) {
        this(lockTime, System::nanoTime);
    }

    JobRunTimes(Duration lockTime, LongSupplier nanoTime) {
        this.lockTime = lockTime;
        this.nanoTime = nanoTime;
    }

    /** Called by the pool when the acquisition submits a batch: the clock starts here. */
    @Override
    public Runnable decorate(Runnable batch) {
        long submitted = nanoTime.getAsLong();
        return () -> {
            try {
                batch.run();
            } finally {
                record(nanoTime.getAsLong() - submitted);
            }
        };
    }

    private void record(long nanos) {
        batches.incrementAndGet();
        longestNanos.accumulateAndGet(nanos, Math::max);
        Timer t = timer;
        if (t != null) {
            t.record(nanos, TimeUnit.NANOSECONDS);
        }
        if (nanos * 2 > lockTime.toNanos()) {
            LOG.warn("a job batch held its lock for {} ms, over half the job lock time ({} ms): a longer one would be"
                    + " taken over while it runs; bound its work or raise camunda.bpm.job-execution.lock-time-in-millis",
                    nanos / 1_000_000, lockTime.toMillis());
        }
    }

    /** The longest hold since the start. */
    public Duration longest() {
        return Duration.ofNanos(longestNanos.get());
    }

    /** Batches finished since the start. */
    public long batches() {
        return batches.get();
    }

    public Duration lockTime() {
        return lockTime;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        timer = Timer.builder(HOLD).description("How long the job executor held each batch of jobs (lock to end)")
                .register(registry);
        Gauge.builder(LONGEST, longestNanos, n -> n.get() / 1e9).baseUnit("seconds")
                .description("The longest job batch since the start; must stay under half the job lock time")
                .register(registry);
    }
}
