package io.onefed.upgrade.process;

import io.onefed.upgrade.plan.PlanService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/** {@code RenderPlan}: renders the plan the start approval shows (a dry run: nothing runs on any host). */
public class RenderPlanDelegate implements JavaDelegate {

    private final PlanService plans;

    public RenderPlanDelegate(PlanService plans) {
        this.plans = plans;
    }

    @Override
    public void execute(DelegateExecution execution) {
        PlanVariables.show(execution, PlanVariables.render(plans, execution), "");
    }
}
