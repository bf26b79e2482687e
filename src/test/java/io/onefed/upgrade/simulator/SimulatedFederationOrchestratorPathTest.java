package io.onefed.upgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.DefaultOneClients;
import io.onefed.upgrade.opennebula.OneClientProperties;
import io.onefed.upgrade.ssh.FileTransfer;
import io.onefed.upgrade.ssh.JschDetachedRuns;
import io.onefed.upgrade.ssh.JschRemoteShell;
import io.onefed.upgrade.ssh.JschSessions;
import io.onefed.upgrade.ssh.SftpFileTransfer;
import io.onefed.upgrade.ssh.SshTarget;
import io.onefed.upgrade.steps.HostCommand;
import io.onefed.upgrade.steps.OneVersion;
import io.onefed.upgrade.steps.RemoteStepRunner;
import io.onefed.upgrade.steps.StepContext;
import io.onefed.upgrade.steps.ZoneCommands;
import io.onefed.upgrade.steps.ZoneStep;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orchestrator's own SSH layer (JSch sessions, exactly-once detached runs, SFTP transfer) and step runner
 * driving the guide's federated upgrade against the simulation.
 */
class SimulatedFederationOrchestratorPathTest {

    @TempDir
    Path tmp;

    SimulatedFederation sim;
    FederationProperties federation;
    JschSessions sessions;
    RemoteStepRunner runner;
    FileTransfer transfer;
    final ZoneCommands commands = new ZoneCommands();

    @BeforeEach
    void start() {
        sim = SimulatedFederation.guide(tmp);
        federation = sim.toFederationProperties();
        SecretResolver secrets = new SecretResolver();
        sessions = new JschSessions(federation.ssh(), secrets);
        JschRemoteShell shell = new JschRemoteShell(sessions, secrets);
        JschDetachedRuns runs = new JschDetachedRuns(shell, t -> zone(t.zoneId()).paths().runDir(),
                JschRemoteShell.DEFAULT_OUTPUT_CAP, Duration.ofSeconds(30));
        runner = new RemoteStepRunner(runs, Duration.ofSeconds(2));
        transfer = new SftpFileTransfer(sessions, shell);
    }

    @AfterEach
    void stop() {
        sessions.close();
        sim.close();
    }

    private ZoneProperties zone(int id) {
        return federation.zones().stream().filter(z -> z.id() == id).findFirst().orElseThrow();
    }

    private StepContext ctx(int zone, String backup) {
        // the approved exact version: the 7.0 repository also offers 7.0.1, which an unpinned install would take
        return new StepContext("demo-1", zone(zone), OneVersion.parse("6.10.0.1"), OneVersion.parse("7.0.0"), null, backup,
                "7.0.0-1", backup == null ? null : "7.0.0", null);
    }

    private RemoteStepRunner.Progress step(ZoneStep step, StepContext ctx) {
        List<List<HostCommand>> groups = commands.commands(step, ctx);
        String key = ctx.upgradeId() + "-z" + ctx.zone().id() + "-" + step.id() + "-a1";
        RemoteStepRunner.Progress p = runner.advance(key, groups);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (p.state() == RemoteStepRunner.State.RUNNING && System.nanoTime() < deadline) {
            p = runner.advance(key, groups);
        }
        assertThat(p.state()).as(step + " on zone " + ctx.zone().id() + ": " + p.failure()).isEqualTo(RemoteStepRunner.State.SUCCEEDED);
        return p;
    }

    private void upgrade(int zone, String federatedBackup) {
        StepContext ctx = ctx(zone, federatedBackup);
        for (ZoneStep s : List.of(ZoneStep.STOP_SERVICES, ZoneStep.BACKUP_CONFIG, ZoneStep.BACKUP_DB)) {
            step(s, ctx);
        }
        if (federatedBackup != null) {
            step(ZoneStep.RESTORE_FEDERATED, ctx);
        }
        for (ZoneStep s : List.of(ZoneStep.SWITCH_REPOSITORY, ZoneStep.UPGRADE_PACKAGES, ZoneStep.UPGRADE_CONFIG)) {
            step(s, ctx);
        }
        step(ZoneStep.UPGRADE_DB, ctx);
        // onedb names automatic backups to the second: let fsck's differ from upgrade's (real onedb refuses a clash)
        long second = java.time.Instant.now().getEpochSecond();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2))
                .until(() -> java.time.Instant.now().getEpochSecond() > second);
        step(ZoneStep.CHECK_DB, ctx);
        step(ZoneStep.START_SERVICES, ctx);
    }

    @Test
    void guideUpgradeThroughTheOrchestratorsSshLayerRunsEachCommandOnce() {
        upgrade(0, null);
        step(ZoneStep.FEDERATED_BACKUP, ctx(0, null));
        String from = ZoneCommands.federatedBackupPath(ctx(0, null));
        for (int slave : List.of(100, 101)) {
            String to = ZoneCommands.upgradeDir(ctx(slave, null)) + "/federated-from-zone-0.sql";
            transfer.copy(SshTarget.of(zone(0), zone(0).servers().get(0)), from,
                    SshTarget.of(zone(slave), zone(slave).servers().get(0)), to);
            upgrade(slave, to);
        }
        DefaultOneClients clients = new DefaultOneClients(federation, new SecretResolver(), OneClientProperties.defaults());
        for (int z : List.of(0, 100, 101)) {
            assertThat(clients.forZone(zone(z)).systemVersion()).isEqualTo("7.0.0");
            assertThat(sim.commandLog(z, "apt-get").stream().filter(l -> l.contains(" install ")).count()).isEqualTo(1);
        }
        // a second advance of a finished step attaches to its runs: nothing runs again
        int before = sim.commandLog(0, "onedb").size();
        step(ZoneStep.UPGRADE_DB, ctx(0, null));
        assertThat(sim.commandLog(0, "onedb")).hasSize(before);
    }
}
