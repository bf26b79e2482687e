package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.HostFencing;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;

/**
 * The hosts a zone-by-zone upgrade disabled: each zone's {@code RecordZoneHosts} writes {@code zoneEnabledHosts}
 * local to its instance of the batch (rolling-upgrade), so the rollback merges them from the history (design
 * decision 1: children write locally, the parent merges), every attempt of every zone, as
 * {@link HostFencing#union}: exactly the hosts that were enabled before some zone disabled them.
 */
public final class ZoneHostRecords {

    private ZoneHostRecords() {
    }

    /** @return the merged record ({@code zoneId:hostId ...;...}), empty when the upgrade ran no zone by zone */
    public static String fromHistory(HistoryService history, String businessKey) {
        List<String> records = new ArrayList<>();
        for (HistoricProcessInstance pi : history.createHistoricProcessInstanceQuery()
                .processInstanceBusinessKey(businessKey).processDefinitionKey("rolling-upgrade").list()) {
            for (HistoricVariableInstance v : history.createHistoricVariableInstanceQuery().processInstanceId(pi.getId())
                    .variableName("zoneEnabledHosts").list()) {
                if (v.getValue() != null) {
                    records.add(Vars.str(v.getValue()));
                }
            }
        }
        return HostFencing.union(records);
    }
}
