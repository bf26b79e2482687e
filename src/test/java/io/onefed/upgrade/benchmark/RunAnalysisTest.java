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

    static RunAnalysis.Run run(String step, String server, long startMs, long endMs) {
        String key = "U20261201-100000-ab12-z101-" + step + "-a1.1-" + server;
        return new RunAnalysis.Run(key, RunAnalysis.stepOf(key), T0.plusMillis(startMs), T0.plusMillis(endMs));
    }

    @Test
    void theNodeUpgradeOnTheHypervisorHostsIsOneStepFromItsFirstStartToItsLastEnd() {
        // the front-end starts its services, the two hosts upgrade side by side (the second ends last), then the
        // front-end syncs the hosts
        List<RunAnalysis.Run> runs = List.of(run("start-services", "s-1-1", 0, 1000),
                run("upgrade-nodes", "kvm-s-1-1", 1100, 1400), run("upgrade-nodes", "kvm-s-1-2", 1120, 1600),
                run("sync-hosts", "s-1-1", 1750, 2300));
        assertThat(RunAnalysis.stepsOf(runs)).extracting(RunAnalysis.Run::step)
                .containsExactly("start-services", "upgrade-nodes", "sync-hosts");
        assertThat(RunAnalysis.stepDelays(runs, List.of())).containsExactly(100L, 150L);
    }

    @Test
    void commandsBetweenTwoStepsAreHostTimeNotDelayAndTheStopAndTheRestoreWaitByDesign() {
        List<RunAnalysis.Run> runs = List.of(run("stop-services", "s-1-1", 0, 500),
                run("backup-config", "s-1-1", 9000, 9500), run("backup-db", "s-1-1", 11000, 11500),
                run("restore-federated", "s-1-1", 30000, 30500), run("switch-repository", "s-1-1", 30600, 31000));
        // the verification between the two backups: two commands side by side on the zone's hosts, 1200 ms in all
        List<RunAnalysis.Timed> between = List.of(cmd(9600, 10600), cmd(9700, 10800));
        // stop -> backup waits for every zone's stop, backup -> restore for the master's backup: left out
        assertThat(RunAnalysis.stepDelays(runs, between)).containsExactly(1500L - 1200L, 100L);
    }
}
