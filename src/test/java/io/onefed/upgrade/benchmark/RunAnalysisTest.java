package io.onefed.upgrade.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The floor from the hosts' stamps and the parsing of command-times.log. */
class RunAnalysisTest {

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    static RunAnalysis.Timed cmd(long startMs, long endMs) {
        return new RunAnalysis.Timed(T0.plusMillis(startMs), T0.plusMillis(endMs), 0, "x");
    }

    @Test
    void theFloorIsTheMastersCommandsPlusTheSlowestSlaveAfterTheMastersLastExitAsTheHostsTimedThem() {
        // the master: three commands of 520, 530 and 510 ms (L = 500 plus the simulator's forks)
        List<RunAnalysis.Timed> master = List.of(cmd(0, 520), cmd(600, 1130), cmd(1200, 1710));
        // slave A stopped beside the master (not on the path), then two commands after the master's last exit
        List<RunAnalysis.Timed> a = List.of(cmd(10, 530), cmd(1710, 2250), cmd(2300, 2810));
        // slave B: one long command after the master
        List<RunAnalysis.Timed> b = List.of(cmd(20, 540), cmd(1800, 2900));
        Duration floor = RunAnalysis.hostFloor(master, List.of(a, b));
        assertThat(floor).isEqualTo(Duration.ofMillis(520 + 530 + 510 + 1100));
        // without slaves: the master alone
        assertThat(RunAnalysis.hostFloor(master, List.of())).isEqualTo(Duration.ofMillis(1560));
    }

    @Test
    void commandsOfOneHostThatRanSideBySideCountOnceInTheFloor() {
        // the master's two repository queries overlap by 300 ms; a third command lies inside the second
        List<RunAnalysis.Timed> master = List.of(cmd(0, 500), cmd(200, 700), cmd(300, 400), cmd(1000, 1500));
        assertThat(RunAnalysis.busy(master)).isEqualTo(Duration.ofMillis(700 + 500));
        // a slave's commands after the master's last exit, one of them beside another
        List<RunAnalysis.Timed> slave = List.of(cmd(100, 600), cmd(1600, 2100), cmd(1800, 2200));
        assertThat(RunAnalysis.hostFloor(master, List.of(slave))).isEqualTo(Duration.ofMillis(1200 + 600));
        assertThat(RunAnalysis.busy(List.of())).isEqualTo(Duration.ZERO);
    }

    @Test
    void commandTimesLinesAreReadSortedAndBrokenLinesLeftOut() {
        List<RunAnalysis.Timed> t = RunAnalysis.parseTimed(List.of(
                "2026-12-01T10:00:01.500Z 2026-12-01T10:00:02.020Z 3 onedb",
                "2026-12-01T10:00:00.100Z 2026-12-01T10:00:00.650Z 0 systemctl",
                "2026-12-01T10:00:03.000Z"));
        assertThat(t).extracting(RunAnalysis.Timed::name).containsExactly("systemctl", "onedb");
        assertThat(t.get(0).duration()).isEqualTo(Duration.ofMillis(550));
        assertThat(t.get(1).status()).isEqualTo(3);
    }
}
