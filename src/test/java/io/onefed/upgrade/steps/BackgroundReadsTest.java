package io.onefed.upgrade.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The preflight's background read: polls return within their wait, one read per entry, fresh entries read anew. */
class BackgroundReadsTest {

    @Test
    void aSlowReadIsPolledUntilItEndsAndReadOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        try (BackgroundReads<String> bg = new BackgroundReads<>("test-read", Duration.ofMillis(100))) {
            java.util.function.Supplier<String> read = () -> {
                reads.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "report";
            };
            long t0 = System.nanoTime();
            assertThat(bg.poll("pi-1", true, read)).isEmpty();
            assertThat((System.nanoTime() - t0) / 1_000_000).as("a poll waits its wait, not the read").isLessThan(2_000);
            assertThat(bg.poll("pi-1", false, read)).as("still reading").isEmpty();
            release.countDown();
            Optional<String> done = Optional.empty();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (done.isEmpty()) {
                assertThat(System.nanoTime()).as("read ended within 10 s").isLessThan(deadline);
                done = bg.poll("pi-1", false, read);
            }
            assertThat(done).contains("report");
            assertThat(reads).as("polls of one entry share one read").hasValue(1);
        }
    }

    @Test
    void aFreshEntryReadsAgainAndAFailureIsThrownOnce() {
        AtomicInteger reads = new AtomicInteger();
        try (BackgroundReads<Integer> bg = new BackgroundReads<>("test-read", Duration.ofSeconds(5))) {
            assertThat(bg.poll("pi-1", true, reads::incrementAndGet)).contains(1);
            assertThat(bg.poll("pi-1", true, reads::incrementAndGet)).as("a new entry, a new read").contains(2);
            assertThatThrownBy(() -> bg.poll("pi-2", true, () -> {
                throw new IllegalStateException("zone 100 unreachable");
            })).isInstanceOf(IllegalStateException.class).hasMessage("zone 100 unreachable");
            assertThat(bg.poll("pi-2", false, () -> 7)).as("the next poll reads again").contains(7);
        }
    }
}
