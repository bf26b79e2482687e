package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.NodeHosts;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * "Skip the failed hosts" in {@code remote-step} (the upgrade-nodes step only): an operator's decision, never a
 * silent skip. The failed hosts leave this step's host list (the others attach to their finished runs, same
 * attempt) and are recorded in {@code skippedHosts} ({@code zoneId:hostId hostId}), which keeps them disabled at
 * the end (EnableHosts) and names them in the report.
 */
public class SkipFailedHostsDelegate implements JavaDelegate {

    @Override
    public void execute(DelegateExecution execution) {
        int zoneId = Vars.integer(execution, "zoneId", -1);
        String nodes = Vars.str(execution, "zoneNodes");
        String failedText = Vars.str(execution, "stepFailedServers");
        Set<String> failed = new LinkedHashSet<>(Arrays.asList((failedText == null ? "" : failedText).split(",")));
        failed.remove("");
        List<NodeHosts.Node> hosts = NodeHosts.of(nodes, zoneId);
        Set<Integer> skipped = new TreeSet<>(SkippedHosts.parse(Vars.str(execution, "skippedHosts")).getOrDefault(zoneId, Set.of()));
        hosts.stream().filter(h -> failed.contains(h.name())).forEach(h -> skipped.add(h.id()));
        // both grow with the zone (thousands of hosts): longText keeps them whole past Camunda's 4000 characters
        execution.setVariable("skippedHosts", Vars.longText(SkippedHosts.format(zoneId, skipped)));
        execution.setVariable("zoneNodes", Vars.longText(NodeHosts.without(nodes, zoneId, failed)));
        execution.setVariable("stepWaitingSince", null);
        execution.setVariable("decision", null);
    }
}
