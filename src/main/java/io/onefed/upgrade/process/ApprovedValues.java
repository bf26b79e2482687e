package io.onefed.upgrade.process;

import io.onefed.upgrade.plan.ApprovedPlanGuard;
import org.camunda.bpm.engine.delegate.DelegateExecution;

/**
 * What the start approval covered, read from the root {@code federation-upgrade} instance (up the call-activity
 * chain), never from the step's own copies: those are what the guard compares against it.
 */
final class ApprovedValues {

    private ApprovedValues() {
    }

    static ApprovedPlanGuard.Approved of(DelegateExecution execution) {
        DelegateExecution root = execution.getProcessInstance();
        while (root.getSuperExecution() != null) {
            root = root.getSuperExecution().getProcessInstance();
        }
        return new ApprovedPlanGuard.Approved(root.getProcessBusinessKey(), Vars.str(root, "fromVersion"),
                Vars.str(root, "targetVersion"), Vars.str(root, "zoneLeaders"),
                Boolean.TRUE.equals(root.getVariable("hasZoneDisable")), Vars.str(root, "zonePackageVersions"),
                Vars.str(root, "zoneNodes"), Boolean.TRUE.equals(root.getVariable("forceFederated")),
                Vars.str(root, "approvedPlanHash"));
    }
}
