package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.Leaders;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.releases.SharedVersionConfirmation;
import io.onefed.upgrade.ssh.SshTarget;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * {@code ConfirmSharedVersion} (zone-upgrade, the master of a zone-by-zone upgrade, after its package upgrade and
 * before its onedb upgrade): the master's leader confirms the shared DB version the release table promised
 * ({@code expectedSharedDbVersion}); {@code sharedVersionConfirmed} routes. Read while the master is stopped and
 * un-migrated: {@code onedb version -v} needs no running oned and prints what the installed code requires.
 */
public class ConfirmSharedVersionDelegate implements JavaDelegate {

    private final FederationProperties federation;
    private final SharedVersionConfirmation confirmation;

    public ConfirmSharedVersionDelegate(FederationProperties federation, SharedVersionConfirmation confirmation) {
        this.federation = federation;
        this.confirmation = confirmation;
    }

    @Override
    public void execute(DelegateExecution execution) {
        ZoneProperties master = federation.master();
        SshTarget leader = SshTarget.of(master, Leaders.parse(Vars.str(execution, "zoneLeaders")).leaderOf(master));
        SharedVersionConfirmation.Result r = confirmation.confirm(master, leader,
                Vars.required(execution, "expectedSharedDbVersion"));
        execution.setVariable("sharedVersionConfirmed", r.confirmed());
        execution.setVariable("masterRequiredSharedVersion", r.required());
        execution.setVariable("sharedVersionFinding", r.finding());
    }
}
