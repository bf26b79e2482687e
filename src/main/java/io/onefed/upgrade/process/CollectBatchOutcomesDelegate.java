package io.onefed.upgrade.process;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * "Collect the batch's outcomes" (rolling-upgrade): each zone of the batch ({@code rollingZoneIds}) by its own
 * {@code zone-upgrade} run, merged by {@link SlaveOutcomes}: a zone whose stop was aborted has no run and failed.
 * Sets {@code batchFailedZoneIds} and adds the upgraded ones to {@code upgradedZoneIds}.
 */
public class CollectBatchOutcomesDelegate implements JavaDelegate {

    @Override
    public void execute(DelegateExecution execution) {
        SlaveOutcomes.Merged merged = SlaveOutcomes.merge(
                SlaveOutcomes.zoneRuns(execution.getProcessEngineServices().getHistoryService(), execution.getProcessInstanceId()),
                new ZoneIdList().of(Vars.str(execution, "rollingZoneIds")));
        List<Integer> upgraded = new ArrayList<>(new ZoneIdList().of(Vars.str(execution, "upgradedZoneIds")));
        upgraded.addAll(merged.upgraded());
        execution.setVariable("upgradedZoneIds", ZoneIdList.csv(upgraded));
        execution.setVariable("batchFailedZoneIds", ZoneIdList.csv(merged.failed()));
    }
}
