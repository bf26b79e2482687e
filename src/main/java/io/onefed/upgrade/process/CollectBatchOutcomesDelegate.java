package io.onefed.upgrade.process;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * "Collect the batch's outcomes" (rolling-upgrade): each zone of the batch ({@code rollingZoneIds}) by its own
 * {@code zone-upgrade} run, merged by {@link SlaveOutcomes}: a zone whose stop was aborted has no run and failed.
 * Sets {@code batchFailedZoneIds} and adds the upgraded ones to {@code upgradedZoneIds}; {@code batchRollbackRequested}
 * when an operator chose "roll back" in a zone's failed step: the upgrade then rolls back (federation-upgrade)
 * instead of ending aborted.
 */
public class CollectBatchOutcomesDelegate implements JavaDelegate {

    @Override
    public void execute(DelegateExecution execution) {
        List<SlaveOutcomes.ZoneRun> runs = SlaveOutcomes.zoneRuns(
                execution.getProcessEngineServices().getHistoryService(), execution.getProcessInstanceId());
        List<Integer> batch = new ZoneIdList().of(Vars.str(execution, "rollingZoneIds"));
        SlaveOutcomes.Merged merged = SlaveOutcomes.merge(runs, batch);
        execution.setVariable("batchRollbackRequested", runs.stream()
                .anyMatch(r -> batch.contains(r.zoneId()) && "ROLLBACK_REQUESTED".equals(r.outcome())));
        List<Integer> upgraded = new ArrayList<>(new ZoneIdList().of(Vars.str(execution, "upgradedZoneIds")));
        upgraded.addAll(merged.upgraded());
        execution.setVariable("upgradedZoneIds", ZoneIdList.csv(upgraded));
        execution.setVariable("batchFailedZoneIds", ZoneIdList.csv(merged.failed()));
    }
}
