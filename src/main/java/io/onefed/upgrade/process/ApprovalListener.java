package io.onefed.upgrade.process;

import io.onefed.upgrade.notify.Notifier;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.impl.identity.Authentication;

/**
 * The approval and decision tasks' listener.
 * <p>On create: the gates after the start show the outcome so far ({@code progressSummary}), and a webhook
 * tells the operators a decision waits.
 * <p>On complete: the decision must be one the task offers and the comment must not be empty; with four eyes on,
 * the operator who started the upgrade cannot complete its approval gates; the start approval records the hash
 * of the plan it showed ({@code approvedPlanHash}). Who decided, what, why and on which plan are kept on the task
 * (task-local variables), so the history answers "who approved this" for each gate.
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

    /** The gates that approve a change to the federation: four eyes applies to these. */
    static final Set<String> GATES = Set.of("ApproveStart", "ApproveReenable", "ConfirmApiBlocked", "ConfirmApiOpen");

    private final Clock clock;
    private final ApprovalSettings settings;
    private final Notifier notifier;

    public ApprovalListener(Clock clock) {
        this(clock, ApprovalSettings.defaults(), Notifier.NONE);
    }

    public ApprovalListener(Clock clock, ApprovalSettings settings, Notifier notifier) {
        this.clock = clock;
        this.settings = settings;
        this.notifier = notifier;
    }

    @Override
    public void notify(DelegateTask task) {
        if (TaskListener.EVENTNAME_CREATE.equals(task.getEventName())) {
            created(task);
        } else if (TaskListener.EVENTNAME_COMPLETE.equals(task.getEventName())) {
            completed(task);
        }
    }

    private void created(DelegateTask task) {
        if (GATES.contains(task.getTaskDefinitionKey()) && !"ApproveStart".equals(task.getTaskDefinitionKey())) {
            task.setVariable("progressSummary", Vars.text(Progress.summary(task)));
        }
        notifier.send("approval.waiting", describe(task));
    }

    /** What a webhook receiver needs to route the request to the right people; no variable values. */
    static Map<String, Object> describe(DelegateTask task) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("upgradeId", task.getExecution().getProcessBusinessKey());
        f.put("taskId", task.getId());
        f.put("taskDefinitionKey", task.getTaskDefinitionKey());
        f.put("task", task.getName());
        Object zone = task.getVariable("zoneName");
        f.put("zone", zone == null ? "federation" : zone.toString());
        f.put("processInstanceId", task.getProcessInstanceId());
        f.put("candidateGroups", task.getCandidates().stream().map(c -> c.getGroupId()).filter(g -> g != null).toList());
        f.put("tasklist", "/camunda/app/tasklist/default/#/?task=" + task.getId());
        return f;
    }

    private void completed(DelegateTask task) {
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
        Object startedBy = task.getVariable("startedBy");
        if (settings.fourEyes() && GATES.contains(task.getTaskDefinitionKey()) && who != null
                && who.equals(startedBy)) {
            throw new ProcessEngineException("four eyes: " + who + " started upgrade "
                    + task.getExecution().getProcessBusinessKey() + " and so cannot complete '" + task.getName()
                    + "'; another operator must decide (onefed.approvals.four-eyes=false turns this rule off)");
        }
        task.setVariableLocal("decidedBy", who == null ? "unknown" : who);
        task.setVariableLocal("decision", d);
        task.setVariableLocal("comment", c.strip());
        task.setVariableLocal("decidedAt", clock.instant().toString());
        if ("ApproveStart".equals(task.getTaskDefinitionKey())) {
            Object shown = task.getVariable("planHash");
            task.setVariableLocal("planHash", shown);
            if ("approve".equals(d)) {
                task.setVariable("approvedPlanHash", shown);
            }
        }
    }
}
