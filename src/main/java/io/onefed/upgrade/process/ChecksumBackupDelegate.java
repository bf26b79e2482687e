package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.steps.BackupCopies;
import io.onefed.upgrade.steps.StepContext;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * {@code ChecksumBackup}: the master's federated backup's path and SHA-256, which every slave's copy is checked
 * against, and the master's shared tables version, which every slave's federated restore must end with (checked
 * there: SQLite's restore can fail silently).
 */
public class ChecksumBackupDelegate implements JavaDelegate {

    private final FederationProperties federation;
    private final BackupCopies backups;

    public ChecksumBackupDelegate(FederationProperties federation, BackupCopies backups) {
        this.federation = federation;
        this.backups = backups;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String leaders = Vars.str(execution, "zoneLeaders");
        BackupCopies.FederatedBackup backup = backups.checksumFederated(StepContext.onLeader(execution.getProcessBusinessKey(),
                federation.master(), Vars.required(execution, "fromVersion"),
                Vars.required(execution, "targetVersion"), leaders),
                leaders);
        execution.setVariable("federatedBackupPath", backup.path());
        execution.setVariable("federatedBackupSha256", backup.sha256());
        execution.setVariable("masterSharedDbVersion", backup.masterSharedDbVersion());
    }
}
