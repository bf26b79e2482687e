package io.onefed.upgrade.process;

import io.onefed.upgrade.plan.ApprovedPlanGuard;
import io.onefed.upgrade.plan.Plan;
import io.onefed.upgrade.plan.PlanService;
import io.onefed.upgrade.plan.PlanText;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * {@code CheckApprovedPlan}, right after the start approval: renders the plan again from the configuration as it is
 * now; if its hash differs from {@code approvedPlanHash}, the approval does not cover it, so {@code planUnchanged} is
 * false, the new plan is shown and the gate re-opens.
 */
public class CheckApprovedPlanDelegate implements JavaDelegate {

    private final PlanService plans;
    private final ApprovedPlanGuard guard;

    public CheckApprovedPlanDelegate(PlanService plans, ApprovedPlanGuard guard) {
        this.plans = plans;
        this.guard = guard;
    }

    @Override
    public void execute(DelegateExecution execution) {
        ApprovedPlanGuard.Approved inputs = PlanVariables.inputs(execution);
        Plan plan = PlanVariables.render(plans, inputs);
        String changed = PlanText.changedSinceApproval(Vars.str(execution, "approvedPlanHash"), plan);
        // the procedure gateway routes on what the configuration renders now, not on a variable anyone could set
        execution.setVariable("procedure", plan.procedure());
        execution.setVariable("planUnchanged", changed == null);
        if (changed != null) {
            PlanVariables.show(execution, plan, changed);
        } else if (inputs.equals(ApprovedValues.of(execution))) {
            // the proof is kept for the values this render read, and only if they are the root's, which the guard's
            // steps read (ApprovedValues): a variable of this scope shadowing one of them proves nothing
            guard.rendered(inputs, plan.sha256());
        }
    }
}
