package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.CommandRecord;
import io.onefed.upgrade.steps.RemoteStepRunner;
import java.time.Duration;
import java.time.Instant;

/**
 * The step timeout policy of {@code remote-step}, the one place it is decided: what a poll's progress means for the
 * model ({@code stepState} RUNNING loops, FAILED goes to an operator) and, for a failure, which servers failed and
 * what the operator reads. A command still running after the step timeout is not killed: it becomes FAILED, and
 * 'wait' keeps waiting for the same run.
 */
record StepVerdict(String state, String failedServers, String failure) {

    static StepVerdict of(String stepTitle, RemoteStepRunner.Progress progress, Instant waitingSince, Instant now,
            Duration stepTimeout) {
        return switch (progress.state()) {
            case SUCCEEDED -> new StepVerdict("SUCCEEDED", null, null);
            case FAILED -> new StepVerdict("FAILED", failedServers(progress, false),
                    stepTitle + " failed" + failedSummary(progress, false) + ": " + progress.failure().summary());
            case RUNNING -> Duration.between(waitingSince, now).compareTo(stepTimeout) <= 0
                    ? new StepVerdict("RUNNING", null, null)
                    : new StepVerdict("FAILED", failedServers(progress, true), stepTitle + failedSummary(progress, true)
                            + " is still running after "
                            + stepTimeout + ": 'wait' keeps waiting for the same run; 'retry' starts the command again"
                            + " (only if you know the first run is dead); 'abort' stops this zone.");
        };
    }

    /** Servers (hosts) whose run failed, or still runs after the timeout: what "skip failed hosts" leaves out. */
    static String failedServers(RemoteStepRunner.Progress progress, boolean stillRunning) {
        return String.join(",", failedList(progress, stillRunning));
    }

    private static java.util.List<String> failedList(RemoteStepRunner.Progress progress, boolean stillRunning) {
        return progress.records().stream()
                .filter(r -> stillRunning ? !"FINISHED".equals(r.state()) && !r.vanished()
                        : r.vanished() || "FINISHED".equals(r.state()) && (r.exitStatus() == null || r.exitStatus() != 0))
                .map(CommandRecord::server).distinct().toList();
    }

    /** For the decision form: how many hosts failed, a few of them by name (the full list is in the report). */
    static String failedSummary(RemoteStepRunner.Progress progress, boolean stillRunning) {
        java.util.List<String> failed = failedList(progress, stillRunning);
        return failed.size() <= 1 ? "" : " [" + failed.size() + " hosts: " + Vars.firstOf(failed, 20) + "]";
    }
}
