package io.onefed.upgrade.resilience;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.simulator.Faults;
import io.onefed.upgrade.simulator.SimulatedFederation;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Issue 15's crash scenarios on the guide's federation, with the settings the README recommends for production
 * (application.yaml's job lock time and poll budget): SIGKILL of the service at three points of one upgrade and a
 * restart at once ({@link #upgradeWithThreeRestarts}), and a two-node cluster whose node inside the master's
 * package step dies ({@link #takeover}). Shared by the resilience tests, which assert on what they return, and
 * the benchmark ({@code benchmark.ResumeMeasurement}), which reports it. Each point is held by a hang of the
 * command it runs, released right after the kill, so what the next node waits for is the killed node's job lock.
 */
public final class ResumeScenario {

    /** application.yaml's camunda.bpm.job-execution.lock-time-in-millis. */
    public static final Duration LOCK_TIME = Duration.ofSeconds(20);

    /** One measured point: from the restart (or the node's death) to the next command a host received. */
    public record Row(String point, Duration toNextCommand, String detail) {

        public double seconds() {
            return toNextCommand.toMillis() / 1000.0;
        }
    }

    /** The three restarts' rows, the upgrade's end, and the longest job hold seen on any node. */
    public record Restarts(List<Row> rows, JsonNode end, Duration longestJob) {
    }

    /** The take-over's row, the upgrade's end, the longest job hold of both nodes, locked jobs at the kill. */
    public record Takeover(Row row, JsonNode end, Duration longestJob, int lockedAtKill) {
    }

    private ResumeScenario() {
    }

    /** A simulated guide federation under {@code workDir} (the hosts' commands and runs are logged there). */
    public static SimulatedFederation federation(Path workDir, String name) {
        return SimHosts.start(workDir, name, SimulatedFederation.guideSpec());
    }

    /** Runs a whole upgrade on one node, killed and restarted during a zone stop, the master's packages, a slave batch. */
    public static Restarts upgradeWithThreeRestarts(SimulatedFederation sim, String database) {
        ServiceNode.Launcher launcher = new ServiceNode.Launcher(sim, database, Map.of(), true);
        List<Row> rows = new ArrayList<>();
        Duration[] longest = {Duration.ZERO};
        try (RestartedNode restarted = new RestartedNode(launcher, database)) {
            Faults faults = sim.faults();
            String id = restarted.node().api().start("7.0.0", 5);
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> restarted.node().api().pending(id, "Approve the start of the upgrade") != null);
            // armed once the preflight is over (its read-only repository query runs apt-get too)
            faults.latency(100, "systemctl", Duration.ofSeconds(1));   // zone stop: one unit per second
            faults.hang(0, "apt-get");                                  // master's package upgrade
            faults.hang(101, "apt-get");                                // a slave's package upgrade, in the slave batch
            restarted.node().api().approve(id, "Approve the start of the upgrade", Duration.ofSeconds(60));
            Restart restart = (point, reached, afterKill) -> {
                // the killed node's longest job, read once the point is reached (just before the kill)
                Instant launched = restarted.crash(point, Duration.ofSeconds(150), () -> {
                    boolean at = reached.call();
                    if (at) {
                        longest[0] = max(longest[0], restarted.node().longestJob());
                    }
                    return at;
                }, afterKill);
                Duration ready = Duration.between(launched, Instant.now());
                SimHosts.Claim next;
                try {
                    next = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                            .until(() -> SimHosts.firstClaimAfter(sim, launched).orElse(null), c -> c != null);
                } catch (ConditionTimeoutException e) {
                    throw new AssertionError("no command reached a host within 60 s of the restart " + point + "; "
                            + restarted.node().name() + " log:\n" + restarted.node().logTail(80), e);
                }
                rows.add(new Row(point, Duration.between(launched, next.at()), String.format(
                        "service ready after %d ms; %s on %s", ready.toMillis(), next.key(), next.host())));
            };
            restart.at("during a zone stop", () -> !SimHosts.calls(sim, 100, "systemctl", "stop", "opennebula").isEmpty(),
                    () -> faults.latency(100, "systemctl", Duration.ZERO));
            // the package step's own "apt-get update" (the preflight's query passes options first)
            restart.at("during the master's package upgrade", () -> !SimHosts.calls(sim, 0, "apt-get", "update").isEmpty(),
                    () -> faults.release(0, "apt-get"));
            restart.at("during a slave batch", () -> !SimHosts.calls(sim, 101, "apt-get", "update").isEmpty(),
                    () -> faults.release(101, "apt-get"));
            restarted.node().api().approve(id, "Approve re-enabling API access", Duration.ofSeconds(180));
            JsonNode end = restarted.node().api().awaitEnd(id, Duration.ofSeconds(90));
            return new Restarts(rows, end, max(longest[0], restarted.node().longestJob()));
        }
    }

    /**
     * Two nodes on one database; the one whose thread is inside the master's package step is killed; returns the
     * time from the kill to the survivor's next command on a host, once the upgrade has ended on the survivor.
     */
    public static Takeover takeover(SimulatedFederation sim, String database) throws SQLException {
        ServiceNode.Launcher launcher = new ServiceNode.Launcher(sim, database, Map.of(), true);
        // the first node creates the schema and the first deployment, then the second joins (as in README)
        ServiceNode a = launcher.start(database + "-a");
        ServiceNode b = null;
        try {
            b = launcher.start(database + "-b");
            ServiceNode nodeB = b;
            String id = a.api().start("7.0.0", 5);
            // armed once the preflight is over: its read-only repository query runs apt-get too
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> nodeB.api().pending(id, "Approve the start of the upgrade") != null);
            sim.faults().hang(0, "apt-get");
            b.api().approve(id, "Approve the start of the upgrade", Duration.ofSeconds(90));
            // the package step's own "apt-get update" (the preflight's query passes options first)
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !SimHosts.calls(sim, 0, "apt-get", "update").isEmpty());
            // only the master's package step runs now: the node whose thread is inside it holds its job's lock
            ServiceNode nodeA = a;
            ServiceNode holder = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> inRemoteStep(nodeA) ? nodeA : inRemoteStep(nodeB) ? nodeB : null, n -> n != null);
            ServiceNode survivor = holder == a ? b : a;
            Duration longest = max(a.longestJob(), b.longestJob());
            holder.kill();
            Instant killed = Instant.now();
            int locked = lockedJobs(launcher);
            sim.faults().release(0, "apt-get");
            // the package step ends on the survivor, which starts the master's next step (onecfg upgrade)
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !sim.commandLog(0, "onecfg").isEmpty());
            // the survivor's next command as the hosts date it: the first run claimed after the kill
            SimHosts.Claim next = SimHosts.firstClaimAfter(sim, killed).orElseThrow();
            Row row = new Row("two nodes: a node's death", Duration.between(killed, next.at()),
                    String.format("killed %s in the package step; %s on %s by %s", holder.name(), next.key(),
                            next.host(), survivor.name()));
            survivor.api().approve(id, "Approve re-enabling API access", Duration.ofSeconds(180));
            JsonNode end = survivor.api().awaitEnd(id, Duration.ofSeconds(90));
            if (!survivor.isAlive()) {
                throw new AssertionError(survivor.name() + " died; log:\n" + survivor.logTail(80));
            }
            return new Takeover(row, end, max(longest, survivor.longestJob()), locked);
        } finally {
            a.close();
            if (b != null) {
                b.close();
            }
        }
    }

    @FunctionalInterface
    private interface Restart {
        void at(String point, Callable<Boolean> reached, Runnable afterKill);
    }

    private static Duration max(Duration x, Duration y) {
        return x.compareTo(y) >= 0 ? x : y;
    }

    private static boolean inRemoteStep(ServiceNode node) {
        return node.isAlive() && node.threadDump().contains("RunStepCommandsDelegate.execute");
    }

    /**
     * Jobs whose lock has not expired yet, read straight from the engine's table. The engine writes the expiry
     * with the node's clock and time zone (the children share this JVM's), so it is compared here, not in SQL.
     */
    private static int lockedJobs(ServiceNode.Launcher launcher) throws SQLException {
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

    /** The machine's load average, printed beside measured times. */
    public static String load() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
