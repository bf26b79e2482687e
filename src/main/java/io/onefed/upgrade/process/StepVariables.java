package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.RemoteStepRunner;
import io.onefed.upgrade.steps.RemoteStepService;
import io.onefed.upgrade.steps.ZoneStep;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.variable.value.FileValue;
import org.camunda.bpm.engine.variable.value.TypedValue;

/** The variables of a {@code remote-step} instance, read and written in one place. */
final class StepVariables {

    /** The idempotency keys this step has started (a JSON list: one per host and attempt, any number of hosts). */
    static final String STARTED_KEYS = "stepStartedKeys";

    private final DelegateExecution execution;

    StepVariables(DelegateExecution execution) {
        this.execution = execution;
    }

    /** The step's inputs, as the caller's mapping ({@link SubProcessInputs}) and the attempts left them. */
    RemoteStepService.Request request() {
        DelegateExecution e = execution;
        return new RemoteStepService.Request(
                e.getProcessBusinessKey(), Vars.integer(e, "zoneId", -1), ZoneStep.byId(Vars.required(e, "step")),
                Vars.integer(e, "zoneAttempt", 1), Vars.integer(e, "stepAttempt", 1),
                Vars.required(e, "fromVersion"), Vars.required(e, "targetVersion"),
                Vars.str(e, "zoneLeaders"), Vars.str(e, "federatedBackupPath"),
                Vars.str(e, "zonePackageVersions"), Vars.str(e, "masterSharedDbVersion"), Vars.str(e, "zoneNodes"));
    }

    Set<String> startedKeys() {
        TypedValue v = execution.getVariableTyped(STARTED_KEYS);
        if (!(v instanceof FileValue file) || file.getValue() == null) {
            return Set.of();
        }
        try (InputStream in = file.getValue()) {
            return new LinkedHashSet<>(Arrays.asList(Vars.JSON.readValue(in, String[].class)));
        } catch (IOException e) {
            throw new IllegalStateException("process variable '" + STARTED_KEYS + "' is not a JSON list of keys", e);
        }
    }

    /** Null before the attempt's first poll ({@link PrepareNextAttemptDelegate} clears it for a new attempt). */
    Instant waitingSince() {
        String since = Vars.str(execution, "stepWaitingSince");
        return since == null ? null : Instant.parse(since);
    }

    /** Nothing started yet: "Run the step's commands" does the attempt's first poll. */
    void leaveToPoll() {
        execution.setVariable("stepState", "RUNNING");
    }

    void write(ZoneStep step, StepPoll.Result r) {
        if (execution.getVariable("stepWaitingSince") == null) {
            // once per attempt: every variable update is a history row, and a step polls many times
            execution.setVariable("stepWaitingSince", r.waitingSince().toString());
        }
        if (r.newKeys()) {
            // committed with this job: a crash before the commit leaves the key unknown, and its start attaches
            execution.setVariable(STARTED_KEYS, Vars.json("step-started-keys.json", r.progress().startedKeys()));
        }
        if (execution.getVariable("stepTitle") == null) {
            execution.setVariable("stepTitle", step.title());
        }
        if (r.progress().state() != RemoteStepRunner.State.RUNNING || execution.getVariable("stepRecords") == null) {
            // once when the commands start and once when they end: a long poll loop does not bloat the history
            execution.setVariable("stepRecords", Vars.json("step-records.json", r.progress().records()));
        }
        StepVerdict verdict = r.verdict();
        if (!verdict.state().equals(execution.getVariable("stepState"))) {
            // a long command's polls (RUNNING, RUNNING, ...) write it once, not once per poll
            execution.setVariable("stepState", verdict.state());
        }
        if (verdict.failedServers() != null) {
            execution.setVariable("stepFailedServers", Vars.longText(verdict.failedServers()));
        }
        if (!"RUNNING".equals(verdict.state())) {
            // SUCCEEDED clears an earlier attempt's failure; RUNNING leaves the variables as they are
            execution.setVariable("stepFailure", verdict.failure() == null ? null : Vars.text(verdict.failure()));
        }
    }
}
