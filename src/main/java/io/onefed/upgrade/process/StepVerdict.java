package io.onefed.upgrade.process;

import io.onefed.upgrade.upgrade.CommandRecord;
import io.onefed.upgrade.upgrade.RemoteStepRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Collectors;

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
                    stepTitle + " failed: " + progress.failure().summary());
            case RUNNING -> Duration.between(waitingSince, now).compareTo(stepTimeout) <= 0
                    ? new StepVerdict("RUNNING", null, null)
                    : new StepVerdict("FAILED", failedServers(progress, true), stepTitle + " is still running after "
                            + stepTimeout + ": 'wait' keeps waiting for the same run; 'retry' starts the command again"
                            + " (only if you know the first run is dead); 'abort' stops this zone.");
        };
    }

    /** Servers (hosts) whose run failed, or still runs after the timeout: what "skip failed hosts" leaves out. */
    static String failedServers(RemoteStepRunner.Progress progress, boolean stillRunning) {
        return progress.records().stream()
                .filter(r -> stillRunning ? !"FINISHED".equals(r.state()) && !r.vanished()
                        : r.vanished() || "FINISHED".equals(r.state()) && (r.exitStatus() == null || r.exitStatus() != 0))
                .map(CommandRecord::server).distinct()
                .collect(Collectors.joining(","));
    }
}
