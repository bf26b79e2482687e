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
 * Issue 15, "back within seconds after a crash": the service runs with the settings the README recommends for
 * production (application.yaml's job lock time and poll budget, nothing shortened for the test), is killed with
 * SIGKILL at three points of one upgrade of the guide's federation and restarted at once on the same database
 * ({@link ResumeScenario#upgradeWithThreeRestarts}). Each time, the time from the restart (the new JVM launched) to
 * the next command reaching a host (the first run claimed on any simulated host after the launch) must stay under
 * 30 s; the upgrade then completes with every changing command run once, and the longest job of every node stays
 * under half the lock time.
 */
@Tag("resilience")
class ResumeAfterRestartTest {

    static final Duration RESUME_TARGET = Duration.ofSeconds(30);

    static SimulatedFederation sim;

    @BeforeAll
    static void startFederation() {
        sim = ResumeScenario.federation(Path.of("target"), "resume");
    }

    @AfterAll
    static void stopFederation() {
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void eachRestartResumesWithin30sAndEveryChangingCommandRunsOnce() {
        long t0 = System.nanoTime();
        ResumeScenario.Restarts run = ResumeScenario.upgradeWithThreeRestarts(sim, "resilience_resume");
        assertThat(run.rows()).extracting(ResumeScenario.Row::point).containsExactly("during a zone stop",
                "during the master's package upgrade", "during a slave batch");
        for (ResumeScenario.Row row : run.rows()) {
            assertThat(row.toNextCommand()).as("restart %s to the next command on a host (%s)", row.point(),
                    row.detail()).isLessThan(RESUME_TARGET);
        }
        assertThat(run.end().get("state").asText()).as(run.end().toString()).isEqualTo("completed");
        for (int zone : sim.zoneIds()) {
            assertThat(sim.installedVersion(zone)).as("zone %d installed", zone).isEqualTo("7.0.0");
            assertThat(SimHosts.changingCommands(sim, zone)).as("zone %d: changing commands run", zone)
                    .isEqualTo(SimHosts.expectedOnce(zone == 0));
        }
        // the bound the lock time relies on: no job of any node came near its lock
        assertThat(run.longestJob()).as("the longest job").isLessThan(ResumeScenario.LOCK_TIME.dividedBy(2));
        System.out.printf("resilience: resume after restart at the recommended settings (lock %d s): %s;"
                + " longest job %d ms; upgrade done in %d s; load %s%n", ResumeScenario.LOCK_TIME.toSeconds(),
                run.rows(), run.longestJob().toMillis(), (System.nanoTime() - t0) / 1_000_000_000,
                ResumeScenario.load());
    }
}
