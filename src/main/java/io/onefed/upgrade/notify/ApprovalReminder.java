package io.onefed.upgrade.notify;

import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * The escalation path of an approval gate's deadline (non-interrupting timer): the gate stays open, and
 * {@code approval.overdue} goes out so someone with authority chases the approvers.
 */
public class ApprovalReminder implements JavaDelegate {

    private final Notifier notifier;

    public ApprovalReminder(Notifier notifier) {
        this.notifier = notifier;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String gate = execution.getCurrentActivityId().replaceFirst("^Remind", "");
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("upgradeId", execution.getProcessBusinessKey());
        f.put("processInstanceId", execution.getProcessInstanceId());
        f.put("taskDefinitionKey", gate);
        f.put("message", "approval '" + gate + "' of upgrade " + execution.getProcessBusinessKey()
                + " is past its deadline and still waiting");
        notifier.send("approval.overdue", f);
        execution.setVariable("lastApprovalReminder", gate);
    }
}
