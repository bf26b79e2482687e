package io.onefed.upgrade.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.simulator.SimulatedFederation;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, "Two nodes, one database": two service JVMs on the same PostgreSQL database, both running jobs (the
 * Camunda homogeneous cluster). The node inside the master's package-upgrade poll job is killed with SIGKILL;
 * the other finishes the upgrade, taking the orphaned job when its lock expires, and no command runs twice
 * ({@link ResumeScenario#takeover}).
 *
 * <p>Both nodes run the settings the README recommends for production (application.yaml's job lock time, 20 s,
 * and poll budget): the time from the kill to the survivor's next command on a host (issue 15) must stay under
 * 60 s, and neither node's longest job may come near its lock.
 */
@Tag("resilience")
class TwoNodeClusterTest {

    static final Duration TAKEOVER_TARGET = Duration.ofSeconds(60);

    static SimulatedFederation sim;

    @BeforeAll
    static void startFederation() {
        sim = ResumeScenario.federation(Path.of("target"), "cluster");
    }

    @AfterAll
    static void stopFederation() {
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void theSurvivorFinishesTheUpgradeWithinTheLockTimeAndNothingRunsTwice() throws Exception {
        long t0 = System.nanoTime();
        ResumeScenario.Takeover run = ResumeScenario.takeover(sim, "resilience_cluster");
        assertThat(run.lockedAtKill()).as("the killed node's job stays locked in the database").isPositive();
        assertThat(run.row().toNextCommand()).as("kill to the survivor's next command (%s)", run.row().detail())
                .isLessThan(TAKEOVER_TARGET);
        assertThat(run.end().get("state").asText()).as(run.end().toString()).isEqualTo("completed");
        for (int zone : sim.zoneIds()) {
            assertThat(sim.installedVersion(zone)).as("zone %d installed", zone).isEqualTo("7.0.0");
            assertThat(SimHosts.changingCommands(sim, zone)).as("zone %d: changing commands run", zone)
                    .isEqualTo(SimHosts.expectedOnce(zone == 0));
        }
        assertThat(run.longestJob()).as("the longest job of both nodes")
                .isLessThan(ResumeScenario.LOCK_TIME.dividedBy(2));
        System.out.printf("resilience: %s %d ms after the kill (%s; lock %d s, recommended settings); longest job"
                        + " %d ms; upgrade done in %d s; load %s%n", run.row().point(), run.row().toNextCommand().toMillis(),
                run.row().detail(), ResumeScenario.LOCK_TIME.toSeconds(), run.longestJob().toMillis(),
                (System.nanoTime() - t0) / 1_000_000_000, ResumeScenario.load());
    }
}
