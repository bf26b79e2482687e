package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.plan.ApprovedPlanGuard;
import io.onefed.upgrade.ssh.FileTransfer;
import io.onefed.upgrade.ssh.SshTarget;
import io.onefed.upgrade.upgrade.BackupTransfer;
import io.onefed.upgrade.upgrade.OneVersion;
import io.onefed.upgrade.upgrade.StepContext;
import io.onefed.upgrade.upgrade.ZoneCommands;
import io.onefed.upgrade.upgrade.Zones;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * Carries backups between front-ends, checksum verified: the master's federated backup to a slave's leader
 * ({@code CopyFederatedBackup}: the slave's copy goes to its own upgrade directory and becomes the zone's
 * {@code federatedBackupPath}), or an HA leader's dump ({@code CopyLeaderDump}) or packed configuration
 * ({@code CopyLeaderConfig}) to its followers.
 */
public class BackupCopyDelegate implements JavaDelegate {

    private final Zones zones;
    private final BackupTransfer transfer;
    private final ApprovedPlanGuard guard;

    public BackupCopyDelegate(Zones zones, BackupTransfer transfer, ApprovedPlanGuard guard) {
        this.zones = zones;
        this.transfer = transfer;
        this.guard = guard;
    }

    @Override
    public void execute(DelegateExecution execution) {
        ZoneProperties zone = zones.byId(Vars.integer(execution, "zoneId", -1));
        String leaders = Vars.str(execution, "zoneLeaders");
        String activity = execution.getCurrentActivityId();
        if ("CopyLeaderDump".equals(activity) || "CopyLeaderConfig".equals(activity)) {
            StepContext ctx = context(execution, zone, leaders);
            boolean config = "CopyLeaderConfig".equals(activity);
            String dump = config ? ZoneCommands.leaderConfigPath(ctx) : ZoneCommands.leaderDumpPath(ctx);
            SshTarget leader = BackupTransfer.leaderTarget(zone, leaders);
            String sha = transfer.sha256(leader, dump);
            for (ServerProperties server : zone.servers()) {
                if (!server.name().equals(leader.serverName())) {
                    transfer.copy(leader, dump, SshTarget.of(zone, server), dump, sha);
                }
            }
            execution.setVariable(config ? "leaderConfigSha256" : "leaderDumpSha256", sha);
            return;
        }
        ZoneProperties master = zones.master();
        String masterPath = Vars.required(execution, "federatedBackupPath");
        String sha = Vars.required(execution, "federatedBackupSha256");
        guard.checkCopy(ApprovedValues.of(execution), zone.id(), Vars.required(execution, "fromVersion"),
                Vars.required(execution, "targetVersion"), leaders, masterPath);
        String fileName = masterPath.substring(masterPath.lastIndexOf('/') + 1);
        String slavePath = ZoneCommands.upgradeDir(context(execution, zone, leaders)) + "/" + fileName;
        FileTransfer.TransferResult result = transfer.copy(BackupTransfer.leaderTarget(master, leaders), masterPath,
                BackupTransfer.leaderTarget(zone, leaders), slavePath, sha);
        execution.setVariable("federatedBackupPath", result.toPath());
    }

    private static StepContext context(DelegateExecution execution, ZoneProperties zone, String leaders) {
        return new StepContext(execution.getProcessBusinessKey(), zone,
                OneVersion.parse(Vars.required(execution, "fromVersion")),
                OneVersion.parse(Vars.required(execution, "targetVersion")), Zones.leaderOf(zone, leaders).name(), null);
    }
}
