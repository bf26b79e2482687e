package io.onefed.upgrade.process;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * "Collect the slave zones' outcomes": reads each slave's {@code zone-upgrade} run from the history and lets
 * {@link SlaveOutcomes} merge them into {@code upgradedSlaveZoneIds} and {@code failedSlaveZoneIds}.
 */
public class CollectSlaveOutcomesDelegate implements JavaDelegate {

    @Override
    public void execute(DelegateExecution execution) {
        SlaveOutcomes.Merged merged = SlaveOutcomes.merge(
                SlaveOutcomes.zoneRuns(execution.getProcessEngineServices().getHistoryService(), execution.getProcessInstanceId()),
                new ZoneIdList().of(Vars.str(execution, "slaveZoneIds")));
        execution.setVariable("upgradedSlaveZoneIds", ZoneIdList.csv(merged.upgraded()));
        execution.setVariable("failedSlaveZoneIds", ZoneIdList.csv(merged.failed()));
    }
}
