package io.onefed.upgrade.process;

import io.onefed.upgrade.plan.ApprovedPlanGuard;
import io.onefed.upgrade.plan.Plan;
import io.onefed.upgrade.plan.PlanService;
import io.onefed.upgrade.plan.PlanText;
import org.camunda.bpm.engine.delegate.DelegateExecution;

/** The plan's inputs and outputs as process variables, shared by {@code RenderPlan} and {@code CheckApprovedPlan}. */
final class PlanVariables {

    private PlanVariables() {
    }

    static Plan render(PlanService plans, DelegateExecution execution) {
        return render(plans, inputs(execution));
    }

    /** The plan's inputs as this scope reads them, with the hash approved so far (null before the approval). */
    static ApprovedPlanGuard.Approved inputs(DelegateExecution execution) {
        return new ApprovedPlanGuard.Approved(execution.getProcessBusinessKey(), Vars.required(execution, "fromVersion"),
                Vars.required(execution, "targetVersion"), Vars.str(execution, "zoneLeaders"),
                Boolean.TRUE.equals(execution.getVariable("hasZoneDisable")), Vars.str(execution, "zonePackageVersions"),
                Vars.str(execution, "zoneNodes"), Boolean.TRUE.equals(execution.getVariable("forceFederated")),
                Vars.str(execution, "approvedPlanHash"));
    }

    static Plan render(PlanService plans, ApprovedPlanGuard.Approved inputs) {
        return plans.plan(inputs.upgradeId(), inputs.fromVersion(), inputs.targetVersion(), inputs.zoneLeaders(),
                inputs.hasZoneDisable(), inputs.zonePackageVersions(), inputs.zoneNodes(), inputs.forceFederated());
    }

    /**
     * Summary in {@code planSummary}, every command in the file variable {@code plan}, hash in {@code planHash}; the
     * procedure the plan follows in {@code procedure} (the gateway after the start approval routes on it),
     * {@code procedureReason} and {@code expectedSharedDbVersion} (what the master must confirm, zone by zone).
     */
    static void show(DelegateExecution execution, Plan plan, String note) {
        execution.setVariable("procedure", plan.procedure());
        execution.setVariable("procedureReason", plan.procedureReason());
        execution.setVariable("expectedSharedDbVersion", plan.expectedSharedDbVersion());
        execution.setVariable("plan", Vars.json("plan.json", plan));
        execution.setVariable("planSummary", PlanText.summary(plan, Vars.MAX_STRING));
        execution.setVariable("planHash", plan.sha256());
        execution.setVariable("approvalNote", note);
    }
}
