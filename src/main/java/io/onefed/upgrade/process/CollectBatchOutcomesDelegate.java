package io.onefed.upgrade.process;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;

/**
 * "Collect the batch's outcomes" (rolling-upgrade): each zone of the batch ({@code rollingZoneIds}) by its own
 * {@code zone-upgrade} run, merged by {@link SlaveOutcomes}: a zone whose stop was aborted has no run and failed.
 * Sets {@code batchFailedZoneIds} and adds the upgraded ones to {@code upgradedZoneIds}; {@code batchRollbackRequested}
 * when an operator chose "roll back" in a zone's failed step: the upgrade then rolls back (federation-upgrade)
 * instead of ending aborted. {@code sharedVersionDiffers} when the master's zone stopped before its onedb upgrade
 * because its new code requires another shared DB version (zone-upgrade's ConfirmSharedVersion); what it reported
 * ({@code sharedVersionFinding}, {@code masterRequiredSharedVersion}, confirmed or not) is copied here for
 * DecideSharedVersion and the upgrade's history.
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
        boolean differs = runs.stream()
                .anyMatch(r -> batch.contains(r.zoneId()) && "SHARED_VERSION_DIFFERS".equals(r.outcome()));
        execution.setVariable("sharedVersionDiffers", differs);
        copyFinding(execution);
        List<Integer> upgraded = new ArrayList<>(new ZoneIdList().of(Vars.str(execution, "upgradedZoneIds")));
        upgraded.addAll(merged.upgraded());
        execution.setVariable("upgradedZoneIds", ZoneIdList.csv(upgraded));
        execution.setVariable("batchFailedZoneIds", ZoneIdList.csv(merged.failed()));
    }

    /** The master's zone-upgrade run wrote its finding locally (design decision 1): the batch reads it back. */
    private static void copyFinding(DelegateExecution execution) {
        HistoryService history = execution.getProcessEngineServices().getHistoryService();
        for (HistoricProcessInstance run : history.createHistoricProcessInstanceQuery()
                .superProcessInstanceId(execution.getProcessInstanceId()).processDefinitionKey("zone-upgrade").list()) {
            for (HistoricVariableInstance v : history.createHistoricVariableInstanceQuery().processInstanceId(run.getId())
                    .variableNameIn("sharedVersionFinding", "masterRequiredSharedVersion").list()) {
                if (v.getValue() != null) {
                    execution.setVariable(v.getName(), v.getValue());
                }
            }
        }
    }
}
