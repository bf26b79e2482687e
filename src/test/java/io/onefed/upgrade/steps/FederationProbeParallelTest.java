package io.onefed.upgrade.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * How many calls {@link FederationProbe#inParallel} makes at once: 16 where they may go to one oned (fencing), all
 * of up to 128 zones where each zone gets one call at a time (the preflight, the zones' readings). Each call here
 * waits until as many calls are under way as the limit allows (a latch with a deadline), so a smaller pool shows
 * as a lower peak.
 */
class FederationProbeParallelTest {

    static int peak(int items, int expectedAtOnce, java.util.function.BiFunction<List<Integer>,
            java.util.function.Function<Integer, Integer>, List<Integer>> run) {
        CountDownLatch together = new CountDownLatch(expectedAtOnce);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        List<Integer> out = run.apply(IntStream.range(0, items).boxed().toList(), i -> {
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            together.countDown();
            try {
                together.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            return i * 2;
        });
        assertThat(out).as("results in the items' order").isEqualTo(IntStream.range(0, items).map(i -> i * 2).boxed()
                .toList());
        return peak.get();
    }

    @Test
    void callsThatMayGoToOneOnedGoSixteenAtATime() {
        assertThat(peak(40, 16, FederationProbe::inParallel)).isEqualTo(16);
    }

    @Test
    void aHundredAndOneZonesAreAskedInOneWave() {
        assertThat(peak(101, 101, (items, f) -> FederationProbe.inParallel(items, FederationProbe.ZONES_AT_ONCE, f)))
                .isEqualTo(101);
    }
}
