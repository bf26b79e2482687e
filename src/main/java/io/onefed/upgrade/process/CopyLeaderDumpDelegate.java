package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.steps.BackupCopies;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/** {@code CopyLeaderDump}: an HA zone's leader gives its database dump to its followers, checksum verified. */
public class CopyLeaderDumpDelegate implements JavaDelegate {

    private final FederationProperties federation;
    private final BackupCopies backups;

    public CopyLeaderDumpDelegate(FederationProperties federation, BackupCopies backups) {
        this.federation = federation;
        this.backups = backups;
    }

    @Override
    public void execute(DelegateExecution execution) {
        ZoneProperties zone = federation.byId(Vars.integer(execution, "zoneId", -1));
        String sha256 = CopyProgress.record(execution, backups.leaderDumpToFollowers(execution.getProcessBusinessKey(), zone,
                Vars.required(execution, "fromVersion"), Vars.required(execution, "targetVersion"),
                Vars.str(execution, "zoneLeaders"), CopyProgress.of(execution)));
        if (sha256 != null) {
            execution.setVariable("leaderDumpSha256", sha256);
        }
    }
}
