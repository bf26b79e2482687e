package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.RemoteStepService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * "Start the step's commands" in {@code remote-step}: where {@link EarlyStart} allows it, the step's first poll
 * starts its runs right here, in the job that ended the step before, and awaits none ({@link StepPoll#start}); its
 * own job, "Run the step's commands", then awaits them. Otherwise, or if the start fails in any way, nothing is
 * recorded and that job does the whole first poll: the check against the approved plan, the starts, and any
 * failure as an incident of this step, not of the step before (a start whose claim reached the host attaches
 * there, since its key is the same).
 */
public class StartStepCommandsDelegate implements JavaDelegate {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StartStepCommandsDelegate.class);

    private final StepPoll poll;
    private final EarlyStart earlyStart;

    StartStepCommandsDelegate(StepPoll poll, EarlyStart earlyStart) {
        this.poll = poll;
        this.earlyStart = earlyStart;
    }

    @Override
    public void execute(DelegateExecution execution) {
        StepVariables vars = new StepVariables(execution);
        if (earlyStart.claim()) {
            try {
                RemoteStepService.Request request = vars.request();
                vars.write(request.step(), poll.start(request, () -> ApprovedValues.of(execution)));
                return;
            } catch (RuntimeException e) {
                LOG.info("step {} of {} not started early ({}); its own job starts it", Vars.str(execution, "step"),
                        execution.getProcessBusinessKey(), e.getMessage());
            }
        }
        vars.leaveToPoll();
    }
}
