package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.ApiAccess;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/** {@code BlockApiAccess}: disables every zone, so no API call changes the federation while it is upgraded. */
public class BlockApiAccessDelegate implements JavaDelegate {

    private final ApiAccess api;

    public BlockApiAccessDelegate(ApiAccess api) {
        this.api = api;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable("apiBlocked", String.join(", ", api.block()));
    }
}
