package io.onefed.upgrade.process;

import java.time.Clock;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.impl.identity.Authentication;

/**
 * On completing any approval or decision task: the decision must be one the task offers and the comment must
 * not be empty, or the completion is refused with a message naming the field. Who decided, what and why are
 * kept on the task (task-local variables), so the history answers "who approved this" for each gate.
 */
public class ApprovalListener implements TaskListener {

    static final Map<String, Set<String>> DECISIONS = Map.ofEntries(
            Map.entry("ApproveStart", Set.of("approve", "reject")),
            Map.entry("ApproveReenable", Set.of("approve")),
            Map.entry("ConfirmApiBlocked", Set.of("approve")),
            Map.entry("ConfirmApiOpen", Set.of("approve")),
            Map.entry("ReviewPreflight", Set.of("retry", "abort")),
            Map.entry("ReviewPostChecks", Set.of("retry", "continue")),
            Map.entry("DecideFailedSlaves", Set.of("retry", "continue", "abort")),
            Map.entry("DecideFailedStep", Set.of("retry", "wait", "abort")),
            Map.entry("DecideStillActive", Set.of("retry", "abort")),
            Map.entry("DecideStopFailed", Set.of("retry", "abort")),
            Map.entry("DecideApiDown", Set.of("wait", "abort")));

    private final Clock clock;

    public ApprovalListener(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void notify(DelegateTask task) {
        Set<String> allowed = DECISIONS.getOrDefault(task.getTaskDefinitionKey(), Set.of("approve", "reject"));
        Object decision = task.getVariable("decision");
        if (!(decision instanceof String d) || !allowed.contains(d)) {
            throw new ProcessEngineException("decision: '" + decision + "' is not one of " + allowed
                    + " for task '" + task.getName() + "'; set the form field 'decision' to one of them");
        }
        Object comment = task.getVariable("comment");
        if (!(comment instanceof String c) || c.isBlank()) {
            throw new ProcessEngineException("comment: a comment is required to complete '" + task.getName()
                    + "'; say why you decide '" + d + "'");
        }
        Authentication auth = task.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
        String who = auth != null && auth.getUserId() != null ? auth.getUserId() : task.getAssignee();
        task.setVariableLocal("decidedBy", who == null ? "unknown" : who);
        task.setVariableLocal("decision", d);
        task.setVariableLocal("comment", c.strip());
        task.setVariableLocal("decidedAt", clock.instant().toString());
    }
}
