package io.onefed.upgrade.ssh;

import java.time.Duration;

/**
 * Exactly-once remote runs (design decision 2). A command is started detached on the host under an idempotency
 * key; its pid, output and exit status live in a per-key directory there. Starting again with the same key
 * attaches to the existing run instead of running the command twice, whatever happened to the orchestrator
 * in between. Completion is awaited in bounded long-polls, so no engine job holds its lock for long.
 */
public interface DetachedRuns {

    /** Starts the command under the key, or attaches to the run that already has that key. */
    RunStatus start(SshTarget target, String idempotencyKey, RemoteCommand command);

    /**
     * {@link #start(SshTarget, String, RemoteCommand)} given up after about {@code maxTime} (an {@link SshException}):
     * the claim and launch on the host go on without the caller, and a start again with the same key attaches.
     */
    default RunStatus start(SshTarget target, String idempotencyKey, RemoteCommand command, Duration maxTime) {
        return start(target, idempotencyKey, command);
    }

    /**
     * Has the target's connection made in the background, if it has none yet, and returns at once: called for each
     * host of a group before its starts, so a group's new connections are made side by side. Nothing runs.
     */
    default void connectAhead(SshTarget target) {
    }

    /** Waits at most {@code maxWait} for the run to finish and returns its status (RUNNING if not yet). */
    RunStatus await(SshTarget target, String idempotencyKey, Duration maxWait);

    /**
     * {@link #await(SshTarget, String, Duration)} whose answer, connect included, takes at most {@code answerMargin}
     * more than {@code maxWait}: an answer not back by then is {@link SshException.StillWaiting} (the run is not
     * touched), so a poll job's hold stays bounded on a slow host.
     */
    default RunStatus await(SshTarget target, String idempotencyKey, Duration maxWait, Duration answerMargin) {
        return await(target, idempotencyKey, maxWait);
    }

    /**
     * The run's status now, asked only over a session that is connected already: a host whose session is still
     * connecting (or not pooled) answers {@link SshException.StillWaiting} at once instead of being waited for.
     */
    default RunStatus awaitIfConnected(SshTarget target, String idempotencyKey) {
        return await(target, idempotencyKey, Duration.ZERO);
    }
}
