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

    @Test
    void onlyInAPollOfTheStepBefore() {
        activityId = Optional.of("BlockApiAccess");
        assertThat(early.claim()).as("the job that fans the zones' stops out").isFalse();
        activityId = Optional.of("CheckZoneApi");
        assertThat(early.claim()).isFalse();
        activityId = Optional.of("RunStepCommands");
        assertThat(early.claim()).isTrue();
    }

    @Test
    void oncePerJob() {
        assertThat(early.claim()).isTrue();
        assertThat(early.claim()).as("the step after one that ended as it started, in the same job").isFalse();
        jobId = Optional.of("job-2");
        assertThat(early.claim()).as("the next job").isTrue();
    }
}
