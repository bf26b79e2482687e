package io.onefed.upgrade.notify;

import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;

/** On every end event of {@code federation-upgrade}, after the outcome is recorded: {@code upgrade.ended}. */
public class UpgradeEndedListener implements ExecutionListener {

    private final Notifier notifier;

    public UpgradeEndedListener(Notifier notifier) {
        this.notifier = notifier;
    }

    @Override
    public void notify(DelegateExecution execution) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("upgradeId", execution.getProcessBusinessKey());
        f.put("processInstanceId", execution.getProcessInstanceId());
        f.put("endEvent", execution.getCurrentActivityId());
        f.put("outcome", execution.getVariable("upgradeOutcome"));
        f.put("detail", execution.getVariable("upgradeOutcomeDetail"));
        f.put("fromVersion", execution.getVariable("fromVersion"));
        f.put("targetVersion", execution.getVariable("targetVersion"));
        f.put("report", "/api/upgrades/" + execution.getProcessBusinessKey() + "/report");
        notifier.send("upgrade.ended", f);
    }
}
