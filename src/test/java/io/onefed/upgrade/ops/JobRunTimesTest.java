package io.onefed.upgrade.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JobRunTimesTest {

    final AtomicLong now = new AtomicLong();
    final JobRunTimes times = new JobRunTimes(Duration.ofSeconds(20), now::get);

    @Test
    void aBatchCountsFromItsSubmissionToItsEndQueueWaitIncluded() {
        Runnable batch = times.decorate(() -> now.addAndGet(Duration.ofSeconds(3).toNanos()));
        now.addAndGet(Duration.ofSeconds(2).toNanos()); // waits in the pool's queue, its lock already running
        batch.run();

        assertThat(times.longest()).isEqualTo(Duration.ofSeconds(5));
        assertThat(times.batches()).isEqualTo(1);
    }

    @Test
    void keepsTheLongestAndExportsItWithTheTimer() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        times.bindTo(registry);
        times.decorate(() -> now.addAndGet(Duration.ofSeconds(7).toNanos())).run();
        times.decorate(() -> now.addAndGet(Duration.ofSeconds(1).toNanos())).run();

        assertThat(times.longest()).isEqualTo(Duration.ofSeconds(7));
        assertThat(registry.get(JobRunTimes.LONGEST).gauge().value()).isEqualTo(7.0);
        assertThat(registry.get(JobRunTimes.HOLD).timer().count()).isEqualTo(2);
    }

    @Test
    void aFailingBatchIsTimedToo() {
        Runnable batch = times.decorate(() -> {
            now.addAndGet(Duration.ofSeconds(4).toNanos());
            throw new IllegalStateException("job failed");
        });

        assertThatThrownBy(batch::run).hasMessage("job failed");
        assertThat(times.longest()).isEqualTo(Duration.ofSeconds(4));
    }
}
