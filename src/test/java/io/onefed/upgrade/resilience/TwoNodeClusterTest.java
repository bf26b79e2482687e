package io.onefed.upgrade.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.simulator.SimulatedFederation;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, "Two nodes, one database": two service JVMs on the same PostgreSQL database, both running jobs (the
 * Camunda homogeneous cluster). The node inside the master's package-upgrade poll job is killed with SIGKILL;
 * the other finishes the upgrade, taking the orphaned job when its lock expires, and no command runs twice.
 *
 * <p>Job lock time of both nodes: 15 s for the test (production keeps the engine's 5 min); the step poll budget
 * is 5 s here so a node stays inside the job long enough to be found there by a thread dump.
 */
@Tag("resilience")
class TwoNodeClusterTest {

    static final Duration LOCK_TIME = Duration.ofSeconds(15);
    static final Duration MARGIN = Duration.ofSeconds(10);

    static SimulatedFederation sim;
    static ServiceNode.Launcher launcher;
    ServiceNode a;
    ServiceNode b;

    @BeforeAll
    static void startFederation() {
        sim = SimHosts.start("cluster", SimulatedFederation.guideSpec());
        launcher = new ServiceNode.Launcher(sim, "resilience_cluster", Map.of(
                "camunda.bpm.job-execution.lock-time-in-millis", Long.toString(LOCK_TIME.toMillis()),
                "onefed.process.step-poll-budget", "PT5S"));
    }

    @AfterEach
    void stopNodes() {
        for (ServiceNode n : new ServiceNode[] {a, b}) {
            if (n != null) {
                n.close();
            }
        }
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
        // the first node creates the schema and the first deployment, then the second joins (as in README)
        a = launcher.start("node-a");
        b = launcher.start("node-b");

        String id = a.api().start("7.0.0", 5);
        // armed once the preflight is over: its read-only repository query runs apt-get too
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> b.api().pending(id, "Approve the start of the upgrade") != null);
        sim.faults().hang(0, "apt-get");
        b.api().approve(id, "Approve the start of the upgrade", Duration.ofSeconds(90));
        // the package step's own "apt-get update" (the preflight's query passes options first)
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> !SimHosts.calls(sim, 0, "apt-get", "update").isEmpty());

        // only the master's package step runs now: the node whose thread is inside it holds its job's lock
        ServiceNode holder = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> inRemoteStep(a) ? a : inRemoteStep(b) ? b : null, n -> n != null);
        ServiceNode survivor = holder == a ? b : a;
        holder.kill();
        long killedAt = System.nanoTime();
        assertThat(lockedJobs()).as("the killed node's job stays locked in the database").isPositive();
        sim.faults().release(0, "apt-get");

        // the package step ends on the survivor, which starts the master's next step (onecfg upgrade)
        await().atMost(LOCK_TIME.plus(MARGIN)).pollInterval(Duration.ofMillis(100))
                .until(() -> !sim.commandLog(0, "onecfg").isEmpty());
        Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);

        survivor.api().approve(id, "Approve re-enabling API access", Duration.ofSeconds(180));
        JsonNode end = survivor.api().awaitEnd(id, Duration.ofSeconds(90));
        assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("completed");
        assertThat(survivor.isAlive()).isTrue();
        for (int zone : sim.zoneIds()) {
            assertThat(sim.installedVersion(zone)).as("zone %d installed", zone).isEqualTo("7.0.0");
            assertThat(SimHosts.changingCommands(sim, zone)).as("zone %d: changing commands run", zone)
                    .isEqualTo(SimHosts.expectedOnce(zone == 0));
        }
        System.out.printf("resilience: killed %s inside the package step; %s took over in %d ms (lock %d s);"
                        + " upgrade done in %d s%n", holder.name(), survivor.name(), takeover.toMillis(),
                LOCK_TIME.toSeconds(), (System.nanoTime() - t0) / 1_000_000_000);
    }

    private static boolean inRemoteStep(ServiceNode node) {
        return node.isAlive() && node.threadDump().contains("RunStepCommandsDelegate.execute");
    }

    /**
     * Jobs whose lock has not expired yet, read straight from the engine's table. The engine writes the expiry
     * with the node's clock and time zone (the children share this JVM's), so it is compared here, not in SQL.
     */
    private static int lockedJobs() throws SQLException {
        try (Connection c = DriverManager.getConnection(launcher.jdbcUrl(), launcher.postgres().username(),
                launcher.postgres().password());
             PreparedStatement s = c.prepareStatement(
                     "select lock_exp_time_ from act_ru_job where lock_owner_ is not null");
             ResultSet r = s.executeQuery()) {
            int locked = 0;
            while (r.next()) {
                java.sql.Timestamp expiry = r.getTimestamp(1);
                if (expiry != null && expiry.getTime() > System.currentTimeMillis()) {
                    locked++;
                }
            }
            return locked;
        }
    }

}
