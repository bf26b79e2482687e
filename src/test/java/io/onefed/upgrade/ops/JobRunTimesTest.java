package io.onefed.upgrade.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Date;
import org.junit.jupiter.api.Test;

class JobRunTimesTest {

    final JobRunTimes times = new JobRunTimes(Duration.ofSeconds(20));

    @Test
    void aJobHoldsItsLockFromTheLockNotFromItsStart() {
        Date lockedAt = new Date(1_000_000);
        Date expiry = new Date(lockedAt.getTime() + 20_000);
        // it waited 6 s behind the other jobs of its batch, then ran 3 s: its lock ran all 9 s
        Date end = new Date(lockedAt.getTime() + 9_000);

        assertThat(JobLockTimer.hold(expiry, end, Duration.ofSeconds(20))).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void aJobPastItsLockHoldsLongerThanTheLockTime() {
        Date expiry = new Date(1_000_000);

        assertThat(JobLockTimer.hold(expiry, new Date(expiry.getTime() + 4_000), Duration.ofSeconds(20)))
                .isEqualTo(Duration.ofSeconds(24));
    }

    @Test
    void keepsTheLongestAndExportsItWithTheTimer() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        times.bindTo(registry);
        times.record(Duration.ofSeconds(7), "RunStepCommands");
        times.record(Duration.ofSeconds(1), "ProveStopped");

        assertThat(times.longest()).isEqualTo(Duration.ofSeconds(7));
        assertThat(times.jobs()).isEqualTo(2);
        assertThat(registry.get(JobRunTimes.LONGEST).gauge().value()).isEqualTo(7.0);
        assertThat(registry.get(JobRunTimes.HOLD).timer().count()).isEqualTo(2);
    }

    @Test
    void aClockSetBackCountsAsNoHoldNotANegativeOne() {
        times.record(Duration.ofSeconds(-3), "RunStepCommands");

        assertThat(times.longest()).isEqualTo(Duration.ZERO);
        assertThat(times.jobs()).isEqualTo(1);
    }
}
