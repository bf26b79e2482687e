package io.onefed.upgrade.process;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/** {@code PrepareStopRetry} in {@code federation-upgrade}: an operator retries stopping the zones, as a new attempt. */
public class PrepareStopRetryDelegate implements JavaDelegate {

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable("stopAttempt", Attempts.next(Vars.integer(execution, "stopAttempt", 1)));
        execution.setVariable("decision", null);
    }
}
