package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.ApiAccess;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * {@code ReenableZonesAfterRollback}: every zone enabled again, master first, as the forward path's
 * EnableApiAccess does; none is left out: after the rollback every zone runs the version it ran before.
 */
public class ReenableZonesAfterRollbackDelegate implements JavaDelegate {

    private final ApiAccess api;

    public ReenableZonesAfterRollbackDelegate(ApiAccess api) {
        this.api = api;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable("apiReopened", String.join(", ", api.unblock(Set.of())));
    }
}
