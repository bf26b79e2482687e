package io.onefed.upgrade.process;

import io.onefed.upgrade.plan.Plan;
import io.onefed.upgrade.plan.PlanService;
import io.onefed.upgrade.plan.PlanText;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * {@code RenderPlan}: renders the plan the start approval shows (summary in {@code planSummary}, every command in
 * the file variable {@code plan}, hash in {@code planHash}). {@code CheckApprovedPlan}, right after the approval:
 * renders it again from the configuration as it is now; if its hash differs from {@code approvedPlanHash}, the
 * approval does not cover it, so {@code planUnchanged} is false, the new plan is shown and the gate re-opens.
 */
public class PlanDelegate implements JavaDelegate {

    private final PlanService plans;

    public PlanDelegate(PlanService plans) {
        this.plans = plans;
    }

    @Override
    public void execute(DelegateExecution execution) {
        Plan plan = plans.plan(execution.getProcessBusinessKey(), Vars.required(execution, "fromVersion"),
                Vars.required(execution, "targetVersion"), Vars.str(execution, "zoneLeaders"),
                Boolean.TRUE.equals(execution.getVariable("hasZoneDisable")), Vars.str(execution, "zonePackageVersions"),
                Vars.str(execution, "zoneNodes"));
        if ("CheckApprovedPlan".equals(execution.getCurrentActivityId())) {
            String approved = Vars.str(execution, "approvedPlanHash");
            boolean unchanged = plan.sha256().equals(approved);
            execution.setVariable("planUnchanged", unchanged);
            if (unchanged) {
                return;
            }
            show(execution, plan, "The plan changed after it was shown for approval (approved " + PlanText.shortHash(approved)
                    + ", now " + PlanText.shortHash(plan.sha256()) + "): the configuration, the zones' leaders the package versions in the repositories or the hypervisor hosts changed."
                    + " Review the new plan and decide again.");
            return;
        }
        show(execution, plan, "");
    }

    private static void show(DelegateExecution execution, Plan plan, String note) {
        execution.setVariable("plan", Vars.json("plan.json", plan));
        execution.setVariable("planSummary", PlanText.summary(plan, Vars.MAX_STRING));
        execution.setVariable("planHash", plan.sha256());
        execution.setVariable("approvalNote", note);
    }
}
