package io.onefed.upgrade.process;

import io.onefed.upgrade.plan.ApprovedPlanGuard;
import io.onefed.upgrade.upgrade.RemoteStepRunner;
import io.onefed.upgrade.upgrade.RemoteStepService;
import io.onefed.upgrade.upgrade.ZoneStep;
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
public class RemoteStepDelegate implements JavaDelegate {

    private final RemoteStepService service;
    private final ApprovedPlanGuard guard;
    private final Duration stepTimeout;
    private final Clock clock;

    public RemoteStepDelegate(RemoteStepService service, ApprovedPlanGuard guard, Duration stepTimeout, Clock clock) {
        this.service = service;
        this.guard = guard;
        this.stepTimeout = stepTimeout;
        this.clock = clock;
    }

    /** Servers (hosts) whose run failed, or still runs after the timeout: what "skip failed hosts" leaves out. */
    static String failedServers(RemoteStepRunner.Progress progress, boolean stillRunning) {
        return String.join(",", failedList(progress, stillRunning));
    }

    private static java.util.List<String> failedList(RemoteStepRunner.Progress progress, boolean stillRunning) {
        return progress.records().stream()
                .filter(r -> stillRunning ? !"FINISHED".equals(r.state()) && !r.vanished()
                        : r.vanished() || "FINISHED".equals(r.state()) && (r.exitStatus() == null || r.exitStatus() != 0))
                .map(io.onefed.upgrade.upgrade.CommandRecord::server).distinct().toList();
    }

    /** For the decision form: how many hosts failed, a few of them by name (the full list is in the report). */
    static String failedSummary(RemoteStepRunner.Progress progress, boolean stillRunning) {
        java.util.List<String> failed = failedList(progress, stillRunning);
        return failed.size() <= 1 ? "" : " [" + failed.size() + " hosts: " + Vars.firstOf(failed, 20) + "]";
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

    @Override
    public void execute(DelegateExecution execution) {
        ZoneStep step = ZoneStep.byId(Vars.required(execution, "step"));
        RemoteStepService.Request request = new RemoteStepService.Request(
                execution.getProcessBusinessKey(), Vars.integer(execution, "zoneId", -1), step,
                Vars.integer(execution, "zoneAttempt", 1), Vars.integer(execution, "stepAttempt", 1),
                Vars.required(execution, "fromVersion"), Vars.required(execution, "targetVersion"),
                Vars.str(execution, "zoneLeaders"), Vars.str(execution, "federatedBackupPath"),
                Vars.str(execution, "zonePackageVersions"), Vars.str(execution, "masterSharedDbVersion"),
                Vars.str(execution, "zoneNodes"));
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
        switch (progress.state()) {
            case SUCCEEDED -> {
                execution.setVariable("stepState", "SUCCEEDED");
                execution.setVariable("stepFailure", null);
            }
            case FAILED -> {
                execution.setVariable("stepState", "FAILED");
                execution.setVariable("stepFailedServers", Vars.longText(failedServers(progress, false)));
                execution.setVariable("stepFailure", Vars.text(step.title() + " failed" + failedSummary(progress, false)
                        + ": " + progress.failure().summary()));
            }
            case RUNNING -> {
                Instant since = Instant.parse(Vars.str(execution, "stepWaitingSince"));
                if (Duration.between(since, now).compareTo(stepTimeout) > 0) {
                    execution.setVariable("stepState", "FAILED");
                    execution.setVariable("stepFailedServers", Vars.longText(failedServers(progress, true)));
                    execution.setVariable("stepFailure", Vars.text(step.title() + failedSummary(progress, true) + " is still running after "
                            + stepTimeout + ": 'wait' keeps waiting for the same run; 'retry' starts the command again"
                            + " (only if you know the first run is dead); 'abort' stops this zone."));
                } else {
                    execution.setVariable("stepState", "RUNNING");
                }
            }
        }
    }
}
