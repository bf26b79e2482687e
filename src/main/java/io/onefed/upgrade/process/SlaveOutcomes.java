package io.onefed.upgrade.process;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the slaves' own outcomes (design decision 1: each {@code zone-upgrade} writes its {@code zoneOutcome}, the
 * parent merges): the latest run per zone counts, so a retried zone counts by its last attempt; a slave with no run,
 * or whose last run recorded no outcome, failed.
 */
final class SlaveOutcomes {

    /** One {@code zone-upgrade} run as the history has it; zoneId or outcome may be null. */
    record ZoneRun(Integer zoneId, String outcome, Date started) {
    }

    record Merged(List<Integer> upgraded, List<Integer> failed) {
    }

    private SlaveOutcomes() {
    }

    /** The {@code zone-upgrade} runs the process instance {@code parentInstanceId} called, from the history. */
    static List<ZoneRun> zoneRuns(org.camunda.bpm.engine.HistoryService history, String parentInstanceId) {
        return history.createHistoricProcessInstanceQuery().superProcessInstanceId(parentInstanceId)
                .processDefinitionKey("zone-upgrade").list().stream().map(child -> {
                    List<org.camunda.bpm.engine.history.HistoricVariableInstance> vars = history
                            .createHistoricVariableInstanceQuery().processInstanceId(child.getId())
                            .variableNameIn("zoneId", "zoneOutcome").list();
                    Object zoneId = value(vars, "zoneId");
                    return new ZoneRun(zoneId == null ? null : ((Number) zoneId).intValue(),
                            (String) value(vars, "zoneOutcome"), child.getStartTime());
                }).toList();
    }

    private static Object value(List<org.camunda.bpm.engine.history.HistoricVariableInstance> vars, String name) {
        return vars.stream().filter(v -> v.getName().equals(name))
                .map(org.camunda.bpm.engine.history.HistoricVariableInstance::getValue)
                .filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    static Merged merge(List<ZoneRun> runs, List<Integer> slaves) {
        Map<Integer, String> latest = new LinkedHashMap<>();
        runs.stream().filter(r -> r.zoneId() != null).sorted(Comparator.comparing(ZoneRun::started))
                .forEach(r -> latest.put(r.zoneId(), r.outcome() == null ? "UNKNOWN" : r.outcome()));
        List<Integer> upgraded = new ArrayList<>();
        List<Integer> failed = new ArrayList<>();
        for (int zoneId : slaves) {
            ("UPGRADED".equals(latest.get(zoneId)) ? upgraded : failed).add(zoneId);
        }
        return new Merged(upgraded, failed);
    }
}
