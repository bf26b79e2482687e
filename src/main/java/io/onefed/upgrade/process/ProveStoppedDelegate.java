package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.steps.StopVerifier;
import java.util.List;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/** "Prove nothing opennebula* is running": a unit still active is a business fault an operator decides on. */
public class ProveStoppedDelegate implements JavaDelegate {

    private final FederationProperties federation;
    private final StopVerifier verifier;

    public ProveStoppedDelegate(FederationProperties federation, StopVerifier verifier) {
        this.federation = federation;
        this.verifier = verifier;
    }

    @Override
    public void execute(DelegateExecution execution) {
        List<String> active = verifier.stillActive(federation.byId(Vars.integer(execution, "zoneId", -1)));
        if (!active.isEmpty()) {
            String message = "still active after the stop: " + String.join(", ", active);
            execution.setVariable("stepFailure", Vars.text(message));
            throw new BpmnError("UNITS_STILL_ACTIVE", message);
        }
        execution.setVariable("stepFailure", null);
    }
}
