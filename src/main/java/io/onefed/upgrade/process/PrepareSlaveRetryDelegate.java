package io.onefed.upgrade.process;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * {@code PrepareSlaveRetry}: an operator retries the failed slaves, as a new slave attempt; the batches start over
 * with only those slaves pending.
 */
public class PrepareSlaveRetryDelegate implements JavaDelegate {

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable("slaveAttempt", Attempts.next(Vars.integer(execution, "slaveAttempt", 1)));
        execution.setVariable("pendingSlaveZoneIds", Vars.str(execution, "failedSlaveZoneIds"));
        execution.setVariable("batchIndex", 0);
        execution.setVariable("decision", null);
    }
}
