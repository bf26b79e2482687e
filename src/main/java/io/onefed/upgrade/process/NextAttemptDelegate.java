package io.onefed.upgrade.process;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * After an operator's "retry" or "wait": what the next pass needs. Only "retry" raises an attempt number, and
 * the attempt number is part of every idempotency key: that is the one way a command runs a second time.
 */
public class NextAttemptDelegate implements JavaDelegate {

    @Override
    public void execute(DelegateExecution execution) {
        String decision = Vars.str(execution, "decision");
        boolean retry = "retry".equals(decision);
        switch (execution.getCurrentActivityId()) {
            case "PrepareNextAttempt" -> {
                if (retry) {
                    execution.setVariable("stepAttempt", Vars.integer(execution, "stepAttempt", 1) + 1);
                }
                execution.setVariable("stepWaitingSince", null);
            }
            case "PrepareStopAgain" -> execution.setVariable("zoneAttempt", Vars.integer(execution, "zoneAttempt", 1) + 1);
            case "PrepareStopRetry" -> execution.setVariable("stopAttempt", Vars.integer(execution, "stopAttempt", 1) + 1);
            case "PrepareSlaveRetry" -> {
                execution.setVariable("slaveAttempt", Vars.integer(execution, "slaveAttempt", 1) + 1);
                execution.setVariable("pendingSlaveZoneIds", Vars.str(execution, "failedSlaveZoneIds"));
                execution.setVariable("batchIndex", 0);
            }
            default -> throw new IllegalStateException("nextAttemptDelegate is not meant for activity "
                    + execution.getCurrentActivityId());
        }
        execution.setVariable("decision", null);
    }
}
