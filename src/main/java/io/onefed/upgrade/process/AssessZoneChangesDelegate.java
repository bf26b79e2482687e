package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.steps.RollbackScope;
import io.onefed.upgrade.steps.StepContext;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/** {@code AssessZoneChanges}: what the upgrade changed in the zone ({@code zoneChanges}), for the rollback's gateway. */
public class AssessZoneChangesDelegate implements JavaDelegate {

    private final FederationProperties federation;
    private final RollbackScope scope;

    public AssessZoneChangesDelegate(FederationProperties federation, RollbackScope scope) {
        this.federation = federation;
        this.scope = scope;
    }

    @Override
    public void execute(DelegateExecution execution) {
        StepContext ctx = StepContext.onLeader(execution.getProcessBusinessKey(),
                federation.byId(Vars.integer(execution, "zoneId", -1)), Vars.required(execution, "fromVersion"),
                Vars.required(execution, "targetVersion"), Vars.str(execution, "zoneLeaders"));
        execution.setVariable("zoneChanges", scope.assess(ctx).name());
    }
}
