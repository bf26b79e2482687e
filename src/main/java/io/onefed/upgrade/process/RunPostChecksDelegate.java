package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.PostChecks;
import java.util.HashSet;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/** "Run post-upgrade checks": target version everywhere, HA in sync, FED_INDEX equal; skipped zones reported. */
public class RunPostChecksDelegate implements JavaDelegate {

    private final PostChecks checks;

    public RunPostChecksDelegate(PostChecks checks) {
        this.checks = checks;
    }

    @Override
    public void execute(DelegateExecution execution) {
        PostChecks.Result result = checks.run(Vars.required(execution, "targetVersion"),
                new HashSet<>(new ZoneIdList().of(Vars.str(execution, "failedSlaveZoneIds"))));
        execution.setVariable("postChecksPassed", result.passed());
        execution.setVariable("postChecksSummary", Vars.text(result.summary()));
        execution.setVariable("postChecksReport", Vars.json("post-checks.json", result));
    }
}
