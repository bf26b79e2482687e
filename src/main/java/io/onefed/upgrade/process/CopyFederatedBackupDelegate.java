package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.plan.ApprovedPlanGuard;
import io.onefed.upgrade.steps.BackupCopies;
import io.onefed.upgrade.steps.StepContext;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * {@code CopyFederatedBackup}: carries the master's federated backup to a slave's leader, checksum verified. The
 * slave's copy goes to its own upgrade directory and becomes the zone's {@code federatedBackupPath}. Values the
 * start approval does not cover stop it before anything is copied ({@link ApprovedPlanGuard}).
 */
public class CopyFederatedBackupDelegate implements JavaDelegate {

    private final FederationProperties federation;
    private final BackupCopies backups;
    private final ApprovedPlanGuard guard;

    public CopyFederatedBackupDelegate(FederationProperties federation, BackupCopies backups, ApprovedPlanGuard guard) {
        this.federation = federation;
        this.backups = backups;
        this.guard = guard;
    }

    @Override
    public void execute(DelegateExecution execution) {
        ZoneProperties zone = federation.byId(Vars.integer(execution, "zoneId", -1));
        String leaders = Vars.str(execution, "zoneLeaders");
        String from = Vars.required(execution, "fromVersion");
        String target = Vars.required(execution, "targetVersion");
        String masterPath = Vars.required(execution, "federatedBackupPath");
        guard.checkCopy(ApprovedValues.of(execution), zone.id(), from, target, leaders, masterPath);
        // the master's path stays in federatedBackupPath until the last piece puts the slave's in its place
        String slavePath = CopyProgress.record(execution, backups.federatedToSlave(federation.master(),
                StepContext.onLeader(execution.getProcessBusinessKey(), zone, from, target, leaders), leaders, masterPath,
                Vars.required(execution, "federatedBackupSha256"), CopyProgress.of(execution)));
        if (slavePath != null) {
            execution.setVariable("federatedBackupPath", slavePath);
        }
    }
}
