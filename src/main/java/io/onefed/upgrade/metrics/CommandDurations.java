package io.onefed.upgrade.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.onefed.upgrade.steps.CommandRecord;
import io.onefed.upgrade.steps.FinishedRuns;
import io.onefed.upgrade.steps.ZoneStep;
import java.time.Duration;

/**
 * The remote command duration histogram: one observation per finished command, labelled with the step id and
 * whether it exited 0. Host, command text and output never become labels. Measured by the host's own clock (the
 * run's start and finish as its run directory records them), so polling delays do not count.
 */
class CommandDurations implements FinishedRuns {

    /** Bucket bounds: package upgrades and database upgrades take minutes, a stop seconds. */
    static final Duration[] BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15),
            Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2)};

    private final MeterRegistry registry;

    CommandDurations(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void finished(ZoneStep step, CommandRecord run) {
        Duration took = Duration.between(run.started(), run.finished());
        boolean ok = run.exitStatus() != null && run.exitStatus() == 0;
        Timer.builder(UpgradeMetrics.COMMAND_DURATION)
                .description("Duration of remote commands by step")
                .tag(UpgradeMetrics.TAG_STEP, step.id())
                .tag(UpgradeMetrics.TAG_OUTCOME, ok ? "succeeded" : "failed")
                // fixed buckets, not Micrometer's percentile histogram (some 70 buckets per series)
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(took.isNegative() ? Duration.ZERO : took);
    }
}
