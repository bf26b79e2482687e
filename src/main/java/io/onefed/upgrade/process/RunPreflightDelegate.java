package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.BackgroundReads;
import io.onefed.upgrade.steps.NodeHosts;
import io.onefed.upgrade.steps.PreflightService;
import java.time.Duration;
import java.util.Optional;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * "Run preflight checks": read-only; keeps every check's result for the approval form and the report. The read
 * goes on in the background and each job waits one poll budget for it: while it runs, {@code preflightRunning}
 * is true and the task loops on itself ("still reading"), one short job per poll.
 */
public class RunPreflightDelegate implements JavaDelegate {

    private final PreflightService preflight;
    private final NodeHosts nodes;
    private final BackgroundReads<PreflightService.Result> reads;

    public RunPreflightDelegate(PreflightService preflight, NodeHosts nodes, Duration pollBudget) {
        this.preflight = preflight;
        this.nodes = nodes;
        this.reads = new BackgroundReads<>("preflight-read", pollBudget);
    }

    @Override
    public void execute(DelegateExecution execution) {
        int rechecksLeft = Vars.integer(execution, "fedIndexRechecksLeft", 0);
        String targetVersion = Vars.required(execution, "targetVersion");
        boolean polling = Boolean.TRUE.equals(execution.getVariable("preflightRunning"));
        Optional<PreflightService.Result> read = reads.poll(execution.getProcessInstanceId(), !polling,
                () -> preflight.run(targetVersion, rechecksLeft));
        execution.setVariable("preflightRunning", read.isEmpty());
        if (read.isEmpty()) {
            return;
        }
        PreflightService.Result result = read.get();
        execution.setVariable("preflightVerdict", result.verdict().name());
        execution.setVariable("preflightSummary", Vars.text(result.summary()));
        execution.setVariable("preflightReport", Vars.json("preflight.json", result));
        execution.setVariable("fromVersion", result.fromVersion());
        execution.setVariable("zoneLeaders", result.zoneLeaders());
        // what the package step installs, per zone: shown in the plan, so the approval covers it
        execution.setVariable("zonePackageVersions", result.zonePackageVersions());
        execution.setVariable("hasZoneDisable", result.hasZoneDisable());
        if (nodes != null && result.verdict() == PreflightService.Verdict.OK) {
            // read before the plan, so the plan shows every hypervisor host and its hash covers the list
            execution.setVariable("zoneNodes", Vars.longText(nodes.read()));
        }
        if (result.verdict() == PreflightService.Verdict.RECHECK) {
            execution.setVariable("fedIndexRechecksLeft", rechecksLeft - 1);
        }
    }
}
