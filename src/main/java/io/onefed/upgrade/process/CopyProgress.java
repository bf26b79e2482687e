package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.BackupCopies;
import org.camunda.bpm.engine.delegate.DelegateExecution;

/**
 * The copy tasks' loop (each copy element, then the gateway "Copied?" back to it while {@code copyRunning}): one
 * bounded piece per job, its resume point in {@code copyProgress} (paths, a digest, offsets; never content),
 * committed with the job, so a crash or another node resumes from the last committed piece.
 */
final class CopyProgress {

    static final String VARIABLE = "copyProgress";
    static final String RUNNING = "copyRunning";

    private CopyProgress() {
    }

    /** The progress the previous piece left, null for the first piece of a copy. */
    static String of(DelegateExecution execution) {
        return Vars.str(execution, VARIABLE);
    }

    /** Records the piece's outcome; returns the copy's result once done, else null. */
    static String record(DelegateExecution execution, BackupCopies.Advance advance) {
        execution.setVariable(RUNNING, !advance.done());
        if (advance.done()) {
            execution.removeVariable(VARIABLE);
            return advance.result();
        }
        execution.setVariable(VARIABLE, advance.progress());
        return null;
    }
}
