package io.onefed.upgrade.ssh;

import java.time.Instant;

/** State of a detached run as read back from its key directory on the host. */
public record RunStatus(
        String key,
        State state,
        /** Set once FINISHED. */
        Integer exitStatus,
        String stdout,
        String stderr,
        boolean truncated,
        String outputSha256,
        Instant started,
        Instant finished,
        /** true when {@code start} found the key already present and attached instead of starting. */
        boolean attached) {

    public enum State { RUNNING, FINISHED }

    public boolean isFinished() {
        return state == State.FINISHED;
    }

    public boolean succeeded() {
        return isFinished() && exitStatus != null && exitStatus == 0;
    }
}
