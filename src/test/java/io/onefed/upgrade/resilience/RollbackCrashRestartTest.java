package io.onefed.upgrade.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.e2e.EndToEndSupport;
import io.onefed.upgrade.simulator.Faults;
import io.onefed.upgrade.simulator.SimulatedFederation;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 test (c): the service killed with SIGKILL during rollback steps (the master's database restore, then
 * its downgrade) and restarted on the same database: the rollback ends, and each rollback command ran once.
 * Phases are held by simulator faults and detected from the hosts' command logs, as in {@link CrashRestartTest}.
 */
@Tag("resilience")
class RollbackCrashRestartTest {

    static SimulatedFederation sim;
    static ServiceNode.Launcher launcher;
    RestartedNode node;

    @BeforeAll
    static void startFederation() {
        sim = SimHosts.start("rollback-crash", SimulatedFederation.guideSpec());
        launcher = new ServiceNode.Launcher(sim, "resilience_rollback_crash",
                Map.of("camunda.bpm.job-execution.lock-time-in-millis", "10000"));
    }

    @AfterEach
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @AfterAll
    static void stopFederation() {
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void aRollbackSurvivesKill9DuringItsStepsAndRunsEachCommandOnce() {
        Faults faults = sim.faults();
        faults.failNext(0, "onedb-upgrade", 1000, 1, "Error running migrator 7.0.0: simulated for good");
        node = new RestartedNode(launcher, "rollback-crash");
        EndToEndSupport.Api api = node.node().api();
        String id = api.start("7.0.0", 5);
        api.approve(id, "Approve the start of the upgrade", Duration.ofSeconds(90));
        api.approve(id, "Decide on the failed step", "abort", Duration.ofSeconds(180));
        JsonNode end = api.awaitEnd(id, Duration.ofSeconds(60));
        assertThat(end.get("outcome").asText()).as(end.toString()).isEqualTo("ABORTED");

        faults.hang(0, "onedb-restore");
        faults.latency(0, "apt-get", Duration.ofSeconds(3));
        api.call(ServiceNode.OPERATOR1, "POST", "/api/upgrades/" + id + "/rollback",
                Map.of("reason", "resilience test"), 202);
        api.approve(id, "Approve the rollback of the upgrade", Duration.ofSeconds(60));

        crash("during the master's database restore", () -> !SimHosts.calls(sim, 0, "onedb", "restore").isEmpty(),
                () -> faults.release(0, "onedb-restore"));
        crash("during the master's downgrade", () -> sim.commandLog(0, "apt-get").stream().anyMatch(l -> l.contains("--allow-downgrades")), () -> {
            assertThat(sim.installedVersion(0)).as("master still on 7.0 at the kill").isEqualTo("7.0.0");
            faults.latency(0, "apt-get", Duration.ZERO);
        });

        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(300)).until(() ->
                sim.zoneIds().stream().allMatch(z -> !sim.zoneDisabled(z) && sim.apiOpen(z)));
        assertThat(sim.installedVersion(0)).isEqualTo("6.10.0.1");
        assertThat(sim.dbLocalVersion(0)).isEqualTo("6.10.0");
        assertThat(SimHosts.calls(sim, 0, "onedb", "restore")).as("one database restore").hasSize(1);
        assertThat(sim.commandLog(0, "apt-get").stream().filter(l -> l.contains("--allow-downgrades")))
                .as("one downgrade").hasSize(1);
        for (int slave : new int[] {100, 101}) {
            assertThat(SimHosts.calls(sim, slave, "onedb", "restore")).isEmpty();
            assertThat(sim.unitActive(slave, "opennebula")).isTrue();
        }
    }

    private void crash(String point, java.util.concurrent.Callable<Boolean> reached, Runnable afterKill) {
        node.crash(point, Duration.ofSeconds(120), reached, afterKill);
    }
}
