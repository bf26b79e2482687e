package io.onefed.upgrade.steps;

import java.time.Instant;
import java.util.Optional;

/**
 * When the engine job running on this thread took its lock, if a job runs here and holds one. A poll's time budget
 * counts from then, not from when its code began: a job that waited behind the others of its batch, or for a
 * thread, ends as early as one that ran at once, so no job outlives half its lock (issue 15).
 */
public interface JobLock {

    /** No job, or one run by hand (no lock): the budget counts from the call. */
    JobLock NONE = Optional::empty;

    Optional<Instant> lockedAt();

    /** The id of the job running on this thread, if one does (with or without a lock). */
    default Optional<String> jobId() {
        return Optional.empty();
    }

    /**
     * When the job running on this thread began to run: after its lock, and after any wait for a free thread of
     * the job executor (a long wait there is the mark of a loaded service).
     */
    default Optional<Instant> ranFrom() {
        return Optional.empty();
    }

    /** The BPMN activity of the job running on this thread, if one does. */
    default Optional<String> activityId() {
        return Optional.empty();
    }
}
