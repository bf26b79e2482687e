package io.onefed.upgrade.process;

import io.onefed.upgrade.plan.ApprovedPlanGuard;
import io.onefed.upgrade.steps.RemoteStepRunner;
import io.onefed.upgrade.steps.RemoteStepService;
import io.onefed.upgrade.steps.ZoneStep;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * "Run the step's commands" in {@code remote-step}: starts or attaches to the step's detached runs and
 * long-polls once. The model loops while {@code stepState} is RUNNING; a command that exited non-zero, or one
 * still running after the step timeout, becomes FAILED for an operator to decide on. Values the start approval
 * does not cover stop the step before anything runs ({@link ApprovedPlanGuard}: the job fails into an incident).
 */
public class RunStepCommandsDelegate implements JavaDelegate {

    private final RemoteStepService service;
    private final ApprovedPlanGuard guard;
    private final Duration stepTimeout;
    private final Clock clock;

    public RunStepCommandsDelegate(RemoteStepService service, ApprovedPlanGuard guard, Duration stepTimeout, Clock clock) {
        this.service = service;
        this.guard = guard;
        this.stepTimeout = stepTimeout;
        this.clock = clock;
    }

    /** The idempotency keys this step has started (a JSON list: one per host and attempt, any number of hosts). */
    static final String STARTED_KEYS = "stepStartedKeys";

    static java.util.Set<String> startedKeys(DelegateExecution execution) {
        org.camunda.bpm.engine.variable.value.TypedValue v = execution.getVariableTyped(STARTED_KEYS);
        if (!(v instanceof org.camunda.bpm.engine.variable.value.FileValue file) || file.getValue() == null) {
            return java.util.Set.of();
        }
        try (java.io.InputStream in = file.getValue()) {
            return new java.util.LinkedHashSet<>(java.util.Arrays.asList(Vars.JSON.readValue(in, String[].class)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("process variable '" + STARTED_KEYS + "' is not a JSON list of keys", e);
        }
    }

    /** The step's inputs, as the process variables hold them. */
    private static RemoteStepService.Request request(DelegateExecution execution, ZoneStep step) {
        return new RemoteStepService.Request(
                execution.getProcessBusinessKey(), Vars.integer(execution, "zoneId", -1), step,
                Vars.integer(execution, "zoneAttempt", 1), Vars.integer(execution, "stepAttempt", 1),
                Vars.required(execution, "fromVersion"), Vars.required(execution, "targetVersion"),
                Vars.str(execution, "zoneLeaders"), Vars.str(execution, "federatedBackupPath"),
                Vars.str(execution, "zonePackageVersions"), Vars.str(execution, "masterSharedDbVersion"),
                Vars.str(execution, "zoneNodes"));
    }

    @Override
    public void execute(DelegateExecution execution) {
        ZoneStep step = ZoneStep.byId(Vars.required(execution, "step"));
        RemoteStepService.Request request = request(execution, step);
        Instant now = clock.instant();
        if (execution.getVariable("stepWaitingSince") == null) {
            // before an attempt's first command: later polls attach to the same runs, whose hosts refuse another command
            guard.checkStep(ApprovedValues.of(execution), request);
            execution.setVariable("stepWaitingSince", now.toString());
        }
        // the keys this step's earlier jobs started and committed: awaited only, never claimed again
        java.util.Set<String> known = startedKeys(execution);
        RemoteStepRunner.Progress progress = service.advance(request, known);
        if (!known.containsAll(progress.startedKeys())) {
            // committed with this job: a crash before the commit leaves the key unknown, and its start attaches
            execution.setVariable(STARTED_KEYS, Vars.json("step-started-keys.json", progress.startedKeys()));
        }
        execution.setVariable("stepTitle", step.title());
        if (progress.state() != RemoteStepRunner.State.RUNNING || execution.getVariable("stepRecords") == null) {
            // once when the commands start and once when they end: a long poll loop does not bloat the history
            execution.setVariable("stepRecords", Vars.json("step-records.json", progress.records()));
        }
        StepVerdict verdict = StepVerdict.of(step.title(), progress,
                Instant.parse(Vars.str(execution, "stepWaitingSince")), now, stepTimeout);
        execution.setVariable("stepState", verdict.state());
        if (verdict.failedServers() != null) {
            execution.setVariable("stepFailedServers", Vars.longText(verdict.failedServers()));
        }
        if (!"RUNNING".equals(verdict.state())) {
            // SUCCEEDED clears an earlier attempt's failure; RUNNING leaves the variables as they are
            execution.setVariable("stepFailure", verdict.failure() == null ? null : Vars.text(verdict.failure()));
        }
    }
}
