package io.onefed.upgrade.steps;

/**
 * Told of every remote command of a step once the step has ended (succeeded or failed), with the host's start and
 * finish times: the metrics time commands here (package {@code metrics}). Called after the step's last advance, so
 * a run is reported once per step outcome; only a job that fails after that advance and is retried reports it
 * again, which a duration histogram can bear.
 */
@FunctionalInterface
public interface FinishedRuns {

    FinishedRuns NONE = (step, run) -> { };

    /** @param run a finished command of {@code step}: its {@code started} and {@code finished} are set */
    void finished(ZoneStep step, CommandRecord run);
}
