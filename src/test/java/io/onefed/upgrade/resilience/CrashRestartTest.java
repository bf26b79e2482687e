package io.onefed.upgrade.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.simulator.Faults;
import io.onefed.upgrade.simulator.SimulatedFederation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, "Crash and restart": one upgrade of the guide's federation (service in a child JVM, PostgreSQL, the
 * simulated federation in this JVM), the service killed with SIGKILL at each phase and restarted on the same
 * database. Each phase is made long with a simulator fault (hang or latency of the command that phase runs) and
 * detected from the simulated hosts' command logs, never by timing. After the last restart the upgrade completes
 * and every changing command ran exactly once per zone.
 *
 * <p>Job lock time of the children: 10 s, so a job the killed node held is taken by the restarted one 10 s after
 * it was locked (half the recommended 20 s, which {@link ResumeAfterRestartTest} runs: eight restarts stay quick).
 */
@Tag("resilience")
class CrashRestartTest {

    static SimulatedFederation sim;
    static ServiceNode.Launcher launcher;
    RestartedNode node;
    final List<String> survived = new ArrayList<>();

    @BeforeAll
    static void startFederation() {
        sim = SimHosts.start("crash", SimulatedFederation.guideSpec());
        launcher = new ServiceNode.Launcher(sim, "resilience_crash",
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
    void theUpgradeSurvivesKill9AtEveryPhaseAndRunsEveryChangingCommandOnce() {
        long t0 = System.nanoTime();
        Faults faults = sim.faults();
        // every phase is held (or slowed) by the command it runs, so the kill hits it whatever the machine's speed
        SimHosts.hang(sim, 0, "df", true);                                // preflight: free space probe
        faults.latency(100, "systemctl", Duration.ofSeconds(1));          // zone stop: one unit per second
        faults.latency(0, "apt-get", Duration.ofSeconds(3));              // master's package upgrade
        faults.hang(0, "onehost");                                        // master's last step before the backup

        node = new RestartedNode(launcher, "crash");
        String id = node.node().api().start("7.0.0", 5);

        crash("during preflight", () -> !sim.commandLog(0, "df").isEmpty(),
                () -> SimHosts.hang(sim, 0, "df", false));

        crash("while an approval waits", () -> node.node().api().pending(id, "Approve the start of the upgrade") != null,
                () -> { });
        // slave's package upgrade; armed after the preflight, whose read-only repository query runs apt-get too
        faults.hang(101, "apt-get");
        node.node().api().approve(id, "Approve the start of the upgrade", Duration.ofSeconds(60));

        crash("while a zone stops", () -> !SimHosts.calls(sim, 100, "systemctl", "stop", "opennebula").isEmpty(),
                () -> {
                    // at one unit per second the zone's last unit is still running at the kill
                    assertThat(SimHosts.calls(sim, 100, "systemctl", "stop", "opennebula-ssh-socks-cleaner.timer"))
                            .as("zone 100 stop unfinished at the kill").isEmpty();
                    faults.latency(100, "systemctl", Duration.ZERO);
                });

        crash("during the master's package upgrade", () -> !SimHosts.calls(sim, 0, "apt-get", "install").isEmpty(),
                () -> {
                    // the install sleeps 3 s before it changes anything
                    assertThat(sim.installedVersion(0)).as("master still on 6.10 at the kill").isEqualTo("6.10.0.1");
                    faults.latency(0, "apt-get", Duration.ZERO);
                });

        // the federated backup is held from the master's last zone step on (onehost sync), so no onedb call of
        // the master's own upgrade is caught by it
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> !sim.commandLog(0, "onehost").isEmpty());
        faults.hang(0, "onedb");
        // transfer: the digest of the received copy (the wrapper leaves the detached runs' stdin digests alone,
        // so zone 100's own backups, which now run before the transfer, are not caught)
        SimHosts.hang(sim, 100, "sha256sum", true);
        faults.release(0, "onehost");
        crash("during onedb backup --federated", () -> SimHosts.calls(sim, 0, "onedb", "backup").stream()
                .anyMatch(l -> l.contains(" --federated")), () -> faults.release(0, "onedb"));

        crash("during the transfer to the slaves", () -> !sim.commandLog(100, "sha256sum").isEmpty(), () -> {
            assertThat(SimHosts.calls(sim, 100, "onedb", "restore")).as("zone 100 restore after the transfer").isEmpty();
            faults.hang(100, "onedb-restore");
            SimHosts.hang(sim, 100, "sha256sum", false);
        });

        crash("during a slave's restore", () -> !SimHosts.calls(sim, 100, "onedb", "restore").isEmpty(),
                () -> faults.release(100, "onedb-restore"));

        // the package step's own "apt-get update" (the preflight's query passes options first)
        crash("during a slave's upgrade", () -> !SimHosts.calls(sim, 101, "apt-get", "update").isEmpty(),
                () -> faults.release(101, "apt-get"));

        node.node().api().approve(id, "Approve re-enabling API access", Duration.ofSeconds(180));
        JsonNode end = node.node().api().awaitEnd(id, Duration.ofSeconds(90));
        assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("completed");
        assertThat(survived).hasSize(8);

        for (int zone : sim.zoneIds()) {
            assertThat(sim.installedVersion(zone)).as("zone %d installed", zone).isEqualTo("7.0.0");
            assertThat(sim.dbLocalVersion(zone)).as("zone %d local DB", zone).startsWith("7.0");
            assertThat(sim.unitActive(zone, "opennebula")).as("zone %d oned", zone).isTrue();
            assertThat(sim.zoneDisabled(zone)).as("zone %d disabled", zone).isFalse();
            assertThat(SimHosts.changingCommands(sim, zone)).as("zone %d: changing commands run", zone)
                    .isEqualTo(SimHosts.expectedOnce(zone == 0));
        }
        System.out.printf("resilience: %d crash points survived (%s) in %d s%n", survived.size(), survived,
                (System.nanoTime() - t0) / 1_000_000_000);
    }

    /** Waits until the phase is reached (from the simulated hosts), kills the node, clears the fault, restarts. */
    private void crash(String phase, Callable<Boolean> reached, Runnable afterKill) {
        java.time.Instant launched = node.crash(phase, Duration.ofSeconds(120), reached, afterKill);
        survived.add(phase + " (restarted in " + Duration.between(launched, java.time.Instant.now()).toMillis() + " ms)");
    }
}
