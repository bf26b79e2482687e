package io.onefed.upgrade.process;

import io.onefed.upgrade.upgrade.ApiAccess;
import io.onefed.upgrade.upgrade.BackupTransfer;
import io.onefed.upgrade.upgrade.DbVersionReader;
import io.onefed.upgrade.upgrade.HostFencing;
import io.onefed.upgrade.upgrade.OneVersion;
import io.onefed.upgrade.upgrade.StepContext;
import io.onefed.upgrade.upgrade.ZoneCommands;
import io.onefed.upgrade.upgrade.Zones;
import io.onefed.upgrade.federation.ZoneProperties;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * The federation-wide one-call steps, each a single service call: hosts, API access and the backup checksum.
 * One class, dispatched on the activity id, because each is two lines; the work is in the services.
 */
public class FederationStepDelegate implements JavaDelegate {

    private final Zones zones;
    private final HostFencing hosts;
    private final ApiAccess api;
    private final BackupTransfer backups;
    private final DbVersionReader dbVersions;

    public FederationStepDelegate(Zones zones, HostFencing hosts, ApiAccess api, BackupTransfer backups,
            DbVersionReader dbVersions) {
        this.zones = zones;
        this.hosts = hosts;
        this.api = api;
        this.backups = backups;
        this.dbVersions = dbVersions;
    }

    @Override
    public void execute(DelegateExecution execution) {
        switch (execution.getCurrentActivityId()) {
            case "RecordEnabledHosts" -> execution.setVariable("enabledHosts", Vars.longText(hosts.recordEnabled()));
            case "DisableHosts" -> execution.setVariable("hostsDisabled", hosts.disable(Vars.str(execution, "enabledHosts")));
            case "EnableHosts" -> execution.setVariable("hostsEnabled", hosts.enable(Vars.str(execution, "enabledHosts"),
                    leftOut(execution), SkippedHosts.fromHistory(execution.getProcessEngineServices().getHistoryService(),
                            execution.getProcessBusinessKey())));
            case "BlockApiAccess" -> execution.setVariable("apiBlocked", String.join(", ", api.block()));
            case "EnableApiAccess" -> execution.setVariable("apiReopened", String.join(", ", api.unblock(leftOut(execution))));
            case "ChecksumBackup" -> {
                ZoneProperties master = zones.master();
                String leaders = Vars.str(execution, "zoneLeaders");
                StepContext ctx = new StepContext(execution.getProcessBusinessKey(), master,
                        OneVersion.parse(Vars.required(execution, "fromVersion")),
                        OneVersion.parse(Vars.required(execution, "targetVersion")),
                        Zones.leaderOf(master, leaders).name(), null);
                String path = ZoneCommands.federatedBackupPath(ctx);
                execution.setVariable("federatedBackupPath", path);
                execution.setVariable("federatedBackupSha256", backups.sha256(BackupTransfer.leaderTarget(master, leaders), path));
                // what every slave's federated restore must end with (checked there: SQLite's restore can fail silently)
                execution.setVariable("masterSharedDbVersion",
                        dbVersions.sharedVersion(master, BackupTransfer.leaderTarget(master, leaders)));
            }
            default -> throw new IllegalStateException("federationStepDelegate is not meant for activity "
                    + execution.getCurrentActivityId());
        }
    }

    /** Slaves an operator chose to continue without: they stay stopped, disabled and with their hosts disabled. */
    private static java.util.Set<Integer> leftOut(DelegateExecution execution) {
        return new java.util.HashSet<>(new ZoneIdList().of(Vars.str(execution, "failedSlaveZoneIds")));
    }
}
