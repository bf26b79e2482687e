package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link SlaveOutcomes}: how CollectSlaveOutcomes turns the slaves' own outcomes into upgraded and failed lists. */
class SlaveOutcomesTest {

    static SlaveOutcomes.ZoneRun run(Integer zone, String outcome, long started) {
        return new SlaveOutcomes.ZoneRun(zone, outcome, new Date(started));
    }

    /** A zone that failed and was retried counts by its last run, whatever order the history lists them in. */
    @Test
    void aRetriedZoneCountsByItsLatestRun() {
        SlaveOutcomes.Merged m = SlaveOutcomes.merge(List.of(run(100, "UPGRADED", 20), run(100, "ABORTED", 10),
                run(101, "UPGRADED", 5), run(101, "ABORTED", 30)), List.of(100, 101));
        assertThat(m.upgraded()).containsExactly(100);
        assertThat(m.failed()).containsExactly(101);
    }

    /** Hole closed: a slave whose run never recorded an outcome, or that never ran, must not count as upgraded. */
    @Test
    void noRunOrNoOutcomeIsAFailure() {
        SlaveOutcomes.Merged m = SlaveOutcomes.merge(List.of(run(100, null, 1), run(null, "UPGRADED", 2)),
                List.of(100, 101));
        assertThat(m.upgraded()).isEmpty();
        assertThat(m.failed()).containsExactly(100, 101);
    }

    /** Only the slaves of this upgrade are listed, in their order: a run of another zone does not appear. */
    @Test
    void onlyTheListedSlavesAppear() {
        SlaveOutcomes.Merged m = SlaveOutcomes.merge(List.of(run(102, "UPGRADED", 1), run(100, "UPGRADED", 2)),
                List.of(101, 100));
        assertThat(m.upgraded()).containsExactly(100);
        assertThat(m.failed()).containsExactly(101);
    }
}
