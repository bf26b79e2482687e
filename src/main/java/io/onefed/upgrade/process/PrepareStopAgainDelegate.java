package io.onefed.upgrade.process;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/** {@code PrepareStopAgain} in {@code zone-stop}: an operator retries stopping the zone, as a new zone attempt. */
public class PrepareStopAgainDelegate implements JavaDelegate {

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable("zoneAttempt", Attempts.next(Vars.integer(execution, "zoneAttempt", 1)));
        execution.setVariable("decision", null);
    }
}
