package io.onefed.upgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.jcraft.jsch.JSchException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Fault injection: what a client sees when the simulation is told to misbehave. */
class SimulatedFaultsTest extends GuideSimulationTestBase {

    @Test
    void failTheNextCallsOfACommand() throws Exception {
        sim.faults().failNext(0, "onedb", 2, 255, "Error connecting to DB: Lost connection");
        for (int i = 0; i < 2; i++) {
            SimClient.Result r = ssh.exec(0, "onedb version");
            assertThat(r.exit()).isEqualTo(255);
            assertThat(r.err()).isEqualTo("Error connecting to DB: Lost connection\n");
        }
        assertThat(ssh.exec(0, "onedb version").exit()).isZero();
        assertThat(sim.commandLog(0, "onedb")).hasSize(3);
        assertThat(ssh.exec(100, "onedb version").exit()).as("other zones are untouched").isZero();
    }

    /**
     * A failed mysqldump inside onedb backup prints what the real onedb prints: mysqldump's own error, then the
     * whole command with its password (OpenNebula/one one-7.0 src/onedb/onedb_backend.rb BackEndMySQL#backup,
     * raise "Unknown error running '#{cmd}'"), exit -1. The service must scrub it (ssh.OutputScrubber).
     */
    @Test
    void aFailedMysqlDumpPrintsTheCommandWithItsPasswordLikeTheRealOnedb() throws Exception {
        sim.faults().failNext(0, "mysqldump", 1, 2, "mysqldump: Got error: 2013: Lost connection to MySQL server");
        Path file = tmp.resolve("master.sql");
        SimClient.Result r = ssh.exec(0, "onedb backup -f " + file);
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.err()).startsWith("mysqldump: Got error: 2013: Lost connection to MySQL server\nUnknown error running"
                + " 'mysqldump -u ").contains(" -p'" + sim.spec().dbPassword() + "' -h ")
                .contains(" --add-drop-database --databases --add-drop-table ").endsWith(" > " + file + "'\n");
        assertThat(file).doesNotExist();
        SimClient.Result again = ssh.exec(0, "onedb backup -f " + file);
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("MySQL dump stored in " + file);
    }

    @Test
    void aSubcommandFaultHitsOnlyThatSubcommand() throws Exception {
        sim.faults().failNext(0, "onedb-restore", 1, 1, "ERROR: restore failed");
        assertThat(ssh.exec(0, "onedb version").exit()).as("another subcommand").isZero();
        SimClient.Result r = ssh.exec(0, "onedb restore /nonexistent");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("ERROR: restore failed\n");
        assertThat(ssh.exec(0, "onedb restore /nonexistent").err()).as("used up").contains("doesn't exist");
    }

    @Test
    void latencyAppliesToEveryCommand() throws Exception {
        sim.faults().latency(0, "systemctl", Duration.ofMillis(600));
        long t0 = System.nanoTime();
        assertThat(ssh.exec(0, "systemctl is-active opennebula").exit()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(600));
        sim.faults().latency(Duration.ofMillis(300));
        t0 = System.nanoTime();
        ssh.exec(100, "onedb version");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void aHungCommandRunsOnOnceReleased() throws Exception {
        sim.faults().hang(0, "apt-get");
        CompletableFuture<SimClient.Result> call = CompletableFuture.supplyAsync(() -> {
            try {
                return ssh.exec(0, "apt-get update");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> sim.commandLog(0, "apt-get").size() == 1);
        assertThat(call).isNotDone();
        sim.faults().release(0, "apt-get");
        assertThat(call.get().exit()).isZero();
    }

    @Test
    void droppedConnectionBeforeTheCommandRuns() throws Exception {
        sim.faults().dropConnections(0, 1, false);
        SimClient.Result cut;
        try {
            cut = ssh.exec(0, "onedb version");
        } catch (JSchException e) {
            cut = null; // the session can also fail while opening the channel
        }
        if (cut != null) {
            assertThat(cut.exit()).as("no exit status reaches the client").isEqualTo(-1);
            assertThat(cut.out()).isEmpty();
        }
        assertThat(sim.commandLog(0, "onedb")).isEmpty();
        assertThat(ssh.exec(0, "onedb version").exit()).isZero();
    }

    @Test
    void droppedConnectionAfterStartLeavesTheCommandRunning() throws Exception {
        Path marker = sim.serverDir(0).resolve("done");
        sim.faults().dropConnections(0, 1, true);
        try {
            SimClient.Result r = ssh.exec(0, "sleep 0.5; onedb version > " + marker);
            assertThat(r.exit()).as("no exit status reaches the client").isEqualTo(-1);
        } catch (Exception expected) {
            // the session can also fail outright
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(marker) && Files.size(marker) > 0);
        assertThat(sim.commandLog(0, "onedb")).hasSize(1);
    }

    @Test
    void laggingFedIndexShowsInRaftStatusAndOnezone() throws Exception {
        sim.faults().lagFedIndex(101, 3);
        String raft = SimClient.rpc(sim.endpoint(101), "one.zone.raftstatus", SimClient.str(sim.oneadminSession()));
        assertThat(raft).contains("&lt;FEDLOG_INDEX&gt;" + (sim.fedIndex() - 3) + "&lt;/FEDLOG_INDEX&gt;");
        assertThat(ssh.exec(0, "onezone list").out()).contains(Long.toString(sim.fedIndex() - 3));
        sim.faults().lagFedIndex(101, 0);
        assertThat(sim.fedIndex(101)).isEqualTo(sim.fedIndex());
    }

    @Test
    void unreachableZoneRefusesSshAndApiUntilBack() throws Exception {
        sim.faults().unreachable(100, true);
        assertThatThrownBy(() -> ssh.exec(100, "true")).isInstanceOf(JSchException.class);
        assertThatThrownBy(() -> SimClient.rpc(sim.endpoint(100), "one.system.version", SimClient.str(sim.oneadminSession())))
                .isInstanceOf(ConnectException.class);
        assertThat(ssh.exec(0, "onezone list").out()).containsPattern("100 S-EU-GE\\s+\\S+\\s+-\\s");
        sim.faults().unreachable(100, false);
        assertThat(ssh.exec(100, "true").exit()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> sim.apiOpen(100));
        assertThat(SimClient.rpc(sim.endpoint(100), "one.system.version", SimClient.str(sim.oneadminSession())))
                .contains("6.10.0");
    }

    @Test
    void rejectedCredentials() throws Exception {
        sim.faults().rejectCredentials(0, true);
        assertThatThrownBy(() -> ssh.exec(0, "true")).isInstanceOf(JSchException.class).hasMessageContaining("Auth fail");
        assertThat(SimClient.rpc(sim.endpoint(0), "one.system.version", SimClient.str(sim.oneadminSession())))
                .contains("User couldn't be authenticated");
        sim.faults().rejectCredentials(0, false);
        assertThat(ssh.exec(0, "true").exit()).isZero();
    }

    @Test
    void changedHostKeyIsRefusedByAVerifyingClient() throws Exception {
        sim.faults().changedHostKey(0, true);
        assertThatThrownBy(() -> ssh.exec(0, "true")).isInstanceOf(JSchException.class).hasMessageContaining("HostKey");
        sim.faults().changedHostKey(0, false);
        assertThat(ssh.exec(0, "true").exit()).isZero();
    }

    @Test
    void clearRemovesEveryFault() throws Exception {
        sim.faults().failNext(0, "onedb", 5, 1, "x").hang(0, "apt-get").lagFedIndex(0, 2).rejectCredentials(0, true);
        sim.faults().clear();
        assertThat(ssh.exec(0, "onedb version >/dev/null && apt-get update >/dev/null").exit()).isZero();
        assertThat(sim.fedIndex(0)).isEqualTo(sim.fedIndex());
    }

    @Test
    void apiLatencyHangAndDroppedCalls() throws Exception {
        String session = SimClient.str(sim.oneadminSession());
        sim.faults().apiLatency(0, Duration.ofMillis(400));
        long t0 = System.nanoTime();
        assertThat(SimClient.rpc(sim.endpoint(0), "one.system.version", session)).contains("6.10.0");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        sim.faults().apiLatency(0, Duration.ZERO);

        sim.faults().apiHang(0, true);
        var http = java.net.http.HttpClient.newHttpClient();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(sim.endpoint(0)))
                .timeout(Duration.ofMillis(300)).POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "<methodCall><methodName>one.system.version</methodName><params><param><value>" + session
                                + "</value></param></params></methodCall>")).build();
        assertThatThrownBy(() -> http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.net.http.HttpTimeoutException.class);
        sim.faults().apiHang(0, false);

        sim.faults().dropApiCalls(0, 1);
        assertThatThrownBy(() -> SimClient.rpc(sim.endpoint(0), "one.system.version", session))
                .isInstanceOf(java.io.IOException.class);
        assertThat(SimClient.rpc(sim.endpoint(0), "one.system.version", session)).contains("6.10.0");
    }
}
