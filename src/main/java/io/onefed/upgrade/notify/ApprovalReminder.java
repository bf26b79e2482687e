package io.onefed.upgrade.notify;

import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;

/**
 * An approval gate's deadline: a {@code timeout} task listener on the gate's user task. The gate stays open and
 * {@code approval.overdue} goes out so someone with authority chases the approvers. A failing webhook fails the
 * timer job (retries, then an incident in Cockpit), never the gate.
 */
public class ApprovalReminder implements TaskListener {

    private final Notifier notifier;

    public ApprovalReminder(Notifier notifier) {
        this.notifier = notifier;
    }

    @Override
    public void notify(DelegateTask task) {
        String gate = task.getTaskDefinitionKey();
        String upgradeId = task.getExecution().getProcessBusinessKey();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("upgradeId", upgradeId);
        f.put("processInstanceId", task.getProcessInstanceId());
        f.put("taskDefinitionKey", gate);
        f.put("taskId", task.getId());
        f.put("message", "approval '" + gate + "' of upgrade " + upgradeId + " is past its deadline and still waiting");
        notifier.send("approval.overdue", f);
        task.getExecution().setVariable("lastApprovalReminder", gate);
    }
}
