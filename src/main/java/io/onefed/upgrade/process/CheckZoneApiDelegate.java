package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.steps.ZoneApiCheck;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * "Check the zone's API and version" after the start step. The model waits on a timer while WAITING; past the
 * deadline (or on a wrong version) an operator decides. Choosing to wait longer starts a fresh deadline.
 */
public class CheckZoneApiDelegate implements JavaDelegate {

    private final FederationProperties federation;
    private final ZoneApiCheck check;
    private final Duration deadline;
    private final Clock clock;

    public CheckZoneApiDelegate(FederationProperties federation, ZoneApiCheck check, Duration deadline, Clock clock) {
        this.federation = federation;
        this.check = check;
        this.deadline = deadline;
        this.clock = clock;
    }

    @Override
    public void execute(DelegateExecution execution) {
        Instant now = clock.instant();
        if (execution.getVariable("apiDeadline") == null || "FAILED".equals(Vars.str(execution, "apiState"))) {
            execution.setVariable("apiDeadline", now.plus(deadline).toString());
        }
        ZoneApiCheck.Result result = check.check(federation.byId(Vars.integer(execution, "zoneId", -1)),
                Vars.required(execution, "targetVersion"), Instant.parse(Vars.str(execution, "apiDeadline")), now);
        execution.setVariable("apiState", result.state().name());
        execution.setVariable("apiDetail", Vars.text(result.detail()));
        if (result.state() == ZoneApiCheck.ApiState.FAILED) {
            execution.setVariable("stepFailure", Vars.text(result.detail()));
        }
    }
}
