package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.steps.JobLock;
import io.onefed.upgrade.testsupport.MovableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a step's commands start in the job that ended the step before ({@link EarlyStart}). */
class EarlyStartTest {

    static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    final MovableClock clock = new MovableClock(T0);
    Optional<Instant> lockedAt = Optional.of(T0);
    Optional<String> jobId = Optional.of("job-1");
    Optional<String> activityId = Optional.of("RunStepCommands");
    Optional<Instant> ranFrom = Optional.empty();

    final JobLock lock = new JobLock() {
        @Override
        public Optional<Instant> lockedAt() {
            return lockedAt;
        }

        @Override
        public Optional<String> jobId() {
            return jobId;
        }

        @Override
        public Optional<String> activityId() {
            return activityId;
        }

        @Override
        public Optional<Instant> ranFrom() {
            return ranFrom;
        }
    };

    final EarlyStart early = new EarlyStart(lock, Duration.ofSeconds(4), clock);

    @Test
    void notOutsideAJobNorInAJobWithoutALock() {
        jobId = Optional.empty();
        lockedAt = Optional.empty();
        assertThat(early.claim()).as("an HTTP request: an operator's decision").isFalse();
        jobId = Optional.of("job-1");
        assertThat(early.claim()).as("a job run by hand holds no lock").isFalse();
    }

    @Test
    void onlyWhileTheJobHasSpentAtMostAQuarterOfItsBudget() {
        clock.advance(Duration.ofMillis(1000));
        assertThat(early.claim()).as("1 s of 4 s spent").isTrue();
        jobId = Optional.of("job-2");
        lockedAt = Optional.of(T0.plusMillis(-1));
        assertThat(early.claim()).as("1.001 s of 4 s spent: a loaded service, the step starts in its own job").isFalse();
    }

    /**
     * Issue 15: with a quarter budget since the lock as the only measure, a step after a long command (a poll that
     * waited 1-4 s for it to end) started in its own job three times in four, 0.1-0.5 s later. The long-poll's wait
     * costs nothing; a wait for a thread before the job ran is what marks a loaded service.
     */
    @Test
    void aJobThatRanAtOnceMayStartTheNextStepAfterALongPollButNotOneThatWaitedForAThread() {
        ranFrom = Optional.of(T0.plusMillis(30));
        clock.advance(Duration.ofMillis(3900));
        assertThat(early.claim()).as("ran at once, its long-poll waited 3.9 s for the command's end").isTrue();

        jobId = Optional.of("job-2");
        clock.advance(Duration.ofMillis(1101));
        assertThat(early.claim()).as("5.001 s since its lock: the answer came late").isFalse();

        jobId = Optional.of("job-3");
        lockedAt = Optional.of(clock.instant().minusMillis(1500));
        ranFrom = Optional.of(clock.instant().minusMillis(499));
        assertThat(early.claim()).as("waited 1.001 s for a thread before it ran: a loaded service").isFalse();
        ranFrom = Optional.of(clock.instant().minusMillis(500));
        assertThat(early.claim()).as("waited 1 s").isTrue();
    }

    @Test
    void onlyInAPollOfTheStepBeforeTheZonesApiCheckOrTheStartOfOneZone() {
        assertThat(claimIn("job-1", "BlockApiAccess")).as("the job that fans the zones' stops out").isFalse();
        assertThat(claimIn("job-2", "UpgradeSlaveBatch")).as("a job of the slave batch's fan-out").isFalse();
        assertThat(claimIn("job-3", "CopyFederatedBackup")).as("a copy").isFalse();
        assertThat(claimIn("job-4", "ZoneStopRequested")).as("the job that starts one zone's stop").isTrue();
        assertThat(claimIn("job-5", "ZoneUpgradeRequested")).as("the job that starts one zone's upgrade").isTrue();
        assertThat(claimIn("job-6", "CheckZoneApi")).as("the API check before the hosts' step").isTrue();
        assertThat(claimIn("job-7", "RunStepCommands")).as("a poll of the step before").isTrue();
    }

    /** A claim in a job of its own (each claims once) of the given activity. */
    private boolean claimIn(String job, String activity) {
        jobId = Optional.of(job);
        activityId = Optional.of(activity);
        return early.claim();
    }

    @Test
    void oncePerJob() {
        assertThat(early.claim()).isTrue();
        assertThat(early.claim()).as("the step after one that ended as it started, in the same job").isFalse();
        jobId = Optional.of("job-2");
        assertThat(early.claim()).as("the next job").isTrue();
    }
}
