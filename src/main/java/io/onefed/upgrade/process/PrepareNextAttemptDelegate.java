package io.onefed.upgrade.process;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * {@code PrepareNextAttempt} in {@code remote-step}, after an operator's "retry" or "wait": only "retry" raises the
 * step attempt ({@link Attempts}); either way the step timeout counts from the next poll.
 */
public class PrepareNextAttemptDelegate implements JavaDelegate {

    @Override
    public void execute(DelegateExecution execution) {
        int attempt = Vars.integer(execution, "stepAttempt", 1);
        int next = Attempts.stepAttemptAfter(Vars.str(execution, "decision"), attempt);
        if (next != attempt) {
            // "wait" writes nothing: the same attempt, and no history entry
            execution.setVariable("stepAttempt", next);
        }
        execution.setVariable("stepWaitingSince", null);
        execution.setVariable("decision", null);
    }
}
