package io.onefed.upgrade.process;

import java.util.List;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.history.HistoricVariableInstance;

/**
 * "Collect the slave zones' outcomes": reads each slave's {@code zone-upgrade} run from the history and lets
 * {@link SlaveOutcomes} merge them into {@code upgradedSlaveZoneIds} and {@code failedSlaveZoneIds}.
 */
public class CollectSlaveOutcomesDelegate implements JavaDelegate {

    @Override
    public void execute(DelegateExecution execution) {
        HistoryService history = execution.getProcessEngineServices().getHistoryService();
        List<SlaveOutcomes.ZoneRun> runs = history.createHistoricProcessInstanceQuery()
                .superProcessInstanceId(execution.getProcessInstanceId()).processDefinitionKey("zone-upgrade").list()
                .stream().map(child -> {
                    List<HistoricVariableInstance> vars = history.createHistoricVariableInstanceQuery()
                            .processInstanceId(child.getId()).variableNameIn("zoneId", "zoneOutcome").list();
                    Object zoneId = value(vars, "zoneId");
                    return new SlaveOutcomes.ZoneRun(zoneId == null ? null : ((Number) zoneId).intValue(),
                            (String) value(vars, "zoneOutcome"), child.getStartTime());
                }).toList();
        SlaveOutcomes.Merged merged = SlaveOutcomes.merge(runs, new ZoneIdList().of(Vars.str(execution, "slaveZoneIds")));
        execution.setVariable("upgradedSlaveZoneIds", ZoneIdList.csv(merged.upgraded()));
        execution.setVariable("failedSlaveZoneIds", ZoneIdList.csv(merged.failed()));
    }

    private static Object value(List<HistoricVariableInstance> vars, String name) {
        return vars.stream().filter(v -> v.getName().equals(name)).map(HistoricVariableInstance::getValue)
                .filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }
}
