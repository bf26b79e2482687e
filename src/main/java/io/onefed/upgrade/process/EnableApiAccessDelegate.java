package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.ApiAccess;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/** {@code EnableApiAccess}: enables the zones again, except the slaves an operator chose to continue without. */
public class EnableApiAccessDelegate implements JavaDelegate {

    private final ApiAccess api;

    public EnableApiAccessDelegate(ApiAccess api) {
        this.api = api;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable("apiReopened",
                String.join(", ", api.unblock(ZoneIdList.setOf(Vars.str(execution, "failedSlaveZoneIds")))));
    }
}
