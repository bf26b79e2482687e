package io.onefed.upgrade.process;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;

/**
 * "Collect the slave zones' outcomes": each slave's {@code zone-upgrade} wrote its own {@code zoneOutcome}
 * (design decision 1: children write locally, the parent merges). Read from the history, latest run per zone,
 * so a retried zone counts by its last attempt.
 */
public class SlaveOutcomesDelegate implements JavaDelegate {

    @Override
    public void execute(DelegateExecution execution) {
        HistoryService history = execution.getProcessEngineServices().getHistoryService();
        List<HistoricProcessInstance> children = history.createHistoricProcessInstanceQuery()
                .superProcessInstanceId(execution.getProcessInstanceId()).processDefinitionKey("zone-upgrade").list();
        Map<Integer, String> latest = new LinkedHashMap<>();
        children.stream().sorted(Comparator.comparing(HistoricProcessInstance::getStartTime)).forEach(child -> {
            Integer zoneId = null;
            String outcome = null;
            for (HistoricVariableInstance v : history.createHistoricVariableInstanceQuery()
                    .processInstanceId(child.getId()).variableNameIn("zoneId", "zoneOutcome").list()) {
                if (v.getName().equals("zoneId") && v.getValue() != null) {
                    zoneId = ((Number) v.getValue()).intValue();
                } else if (v.getName().equals("zoneOutcome")) {
                    outcome = (String) v.getValue();
                }
            }
            if (zoneId != null) {
                latest.put(zoneId, outcome == null ? "UNKNOWN" : outcome);
            }
        });
        ZoneIdList ids = new ZoneIdList();
        List<Integer> failed = new ArrayList<>();
        List<Integer> upgraded = new ArrayList<>();
        for (int zoneId : ids.of(Vars.str(execution, "slaveZoneIds"))) {
            if ("UPGRADED".equals(latest.get(zoneId))) {
                upgraded.add(zoneId);
            } else {
                failed.add(zoneId);
            }
        }
        execution.setVariable("upgradedSlaveZoneIds", ZoneIdList.csv(upgraded));
        execution.setVariable("failedSlaveZoneIds", ZoneIdList.csv(failed));
    }
}
