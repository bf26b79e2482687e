package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.NodeHosts;
import io.onefed.upgrade.steps.PreflightService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/** "Run preflight checks": read-only; keeps every check's result for the approval form and the report. */
public class RunPreflightDelegate implements JavaDelegate {

    private final PreflightService preflight;
    private final NodeHosts nodes;

    public RunPreflightDelegate(PreflightService preflight) {
        this(preflight, null);
    }

    public RunPreflightDelegate(PreflightService preflight, NodeHosts nodes) {
        this.preflight = preflight;
        this.nodes = nodes;
    }

    @Override
    public void execute(DelegateExecution execution) {
        int rechecksLeft = Vars.integer(execution, "fedIndexRechecksLeft", 0);
        PreflightService.Result result = preflight.run(Vars.required(execution, "targetVersion"), rechecksLeft);
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
