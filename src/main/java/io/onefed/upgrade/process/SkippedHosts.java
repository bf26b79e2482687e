package io.onefed.upgrade.process;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;

/**
 * Hosts an operator chose to skip in a zone's upgrade-nodes step ({@code skippedHosts}, {@code zoneId:hostId hostId}),
 * merged from the history as the slave outcomes are (design decision 1: children write locally, the parent
 * merges): the latest upgrade-nodes run per zone counts, so a zone retried later and upgraded fully keeps none.
 */
public final class SkippedHosts {

    private SkippedHosts() {
    }

    static Map<Integer, Set<Integer>> parse(String text) {
        Map<Integer, Set<Integer>> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String zone : text.split(";")) {
            String[] kv = zone.split(":", 2);
            Set<Integer> ids = new TreeSet<>();
            if (kv.length > 1 && !kv[1].isBlank()) {
                for (String id : kv[1].trim().split(" +")) {
                    ids.add(Integer.parseInt(id));
                }
            }
            out.put(Integer.parseInt(kv[0].trim()), ids);
        }
        return out;
    }

    static String format(int zoneId, Set<Integer> ids) {
        return zoneId + ":" + ids.stream().map(String::valueOf).collect(Collectors.joining(" "));
    }

    /** Per zone, the hosts skipped in the latest upgrade-nodes run of the upgrade {@code businessKey}. */
    public static Map<Integer, Set<Integer>> fromHistory(HistoryService history, String businessKey) {
        List<HistoricProcessInstance> steps = history.createHistoricProcessInstanceQuery()
                .processInstanceBusinessKey(businessKey).processDefinitionKey("remote-step").list();
        Map<Integer, Set<Integer>> latest = new LinkedHashMap<>();
        steps.stream().sorted(Comparator.comparing(HistoricProcessInstance::getStartTime)).forEach(pi -> {
            Map<String, Object> v = new HashMap<>();
            for (HistoricVariableInstance hv : history.createHistoricVariableInstanceQuery().processInstanceId(pi.getId())
                    .variableNameIn("step", "zoneId", "skippedHosts").list()) {
                if (hv.getValue() != null) {
                    v.put(hv.getName(), hv.getValue());
                }
            }
            if ("upgrade-nodes".equals(v.get("step")) && v.get("zoneId") instanceof Number zone) {
                latest.put(zone.intValue(), parse(Vars.str(v.getOrDefault("skippedHosts", "")))
                        .getOrDefault(zone.intValue(), Set.of()));
            }
        });
        latest.values().removeIf(Set::isEmpty);
        return latest;
    }
}
