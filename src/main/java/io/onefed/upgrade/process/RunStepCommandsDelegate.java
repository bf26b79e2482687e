package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.RemoteStepService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * "Run the step's commands" in {@code remote-step}: one poll ({@link StepPoll}). The model loops while
 * {@code stepState} is RUNNING; a command that exited non-zero, or one still running after the step timeout,
 * becomes FAILED for an operator to decide on. Values the start approval does not cover stop the step before
 * anything runs: the job fails into an incident.
 */
public class RunStepCommandsDelegate implements JavaDelegate {

    private final StepPoll poll;

    public RunStepCommandsDelegate(StepPoll poll) {
        this.poll = poll;
    }

    @Override
    public void execute(DelegateExecution execution) {
        StepVariables vars = new StepVariables(execution);
        RemoteStepService.Request request = vars.request();
        vars.write(request.step(), poll.poll(request, () -> ApprovedValues.of(execution), vars.startedKeys(),
                vars.waitingSince()));
    }
}
