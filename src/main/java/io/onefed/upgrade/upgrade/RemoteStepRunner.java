package io.onefed.upgrade.upgrade;

import io.onefed.upgrade.ssh.DetachedRuns;
import io.onefed.upgrade.ssh.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Advances one step (groups of host commands, run group after group) through the exactly-once detached runs.
 * Each call starts or attaches to every run of the current group and waits at most {@code pollBudget} in total,
 * so an engine job never holds its lock for long; the process calls it again until the step is done.
 * Calling it again after a crash is safe by construction: every start with an existing key attaches.
 */
public class RemoteStepRunner {

    private final DetachedRuns runs;
    private final Duration pollBudget;

    public RemoteStepRunner(DetachedRuns runs, Duration pollBudget) {
        this.runs = runs;
        this.pollBudget = pollBudget;
    }

    public enum State { RUNNING, SUCCEEDED, FAILED }

    /** Where the step stands, the record of every command started so far, and the first failure if any. */
    public record Progress(State state, List<CommandRecord> records, CommandRecord failure, Instant firstStarted) {
    }

    public Progress advance(String keyPrefix, List<List<HostCommand>> groups) {
        Instant deadline = Instant.now().plus(pollBudget);
        List<CommandRecord> records = new ArrayList<>();
        Instant firstStarted = null;
        for (List<HostCommand> group : groups) {
            List<RunStatus> started = new ArrayList<>();
            for (HostCommand hc : group) {
                RunStatus s = runs.start(hc.target(), key(keyPrefix, hc), hc.command());
                started.add(s);
                if (s.started() != null && (firstStarted == null || s.started().isBefore(firstStarted))) {
                    firstStarted = s.started();
                }
            }
            boolean groupRunning = false;
            CommandRecord failure = null;
            for (int i = 0; i < group.size(); i++) {
                HostCommand hc = group.get(i);
                String key = key(keyPrefix, hc);
                RunStatus s = started.get(i);
                if (!s.isFinished()) {
                    Duration left = Duration.between(Instant.now(), deadline);
                    s = runs.await(hc.target(), key, left.isNegative() ? Duration.ZERO : left);
                }
                CommandRecord record = CommandRecord.of(hc, key, s);
                records.add(record);
                if (!s.isFinished()) {
                    groupRunning = true;
                } else if (!s.succeeded() && failure == null) {
                    failure = record;
                }
            }
            if (failure != null) {
                return new Progress(State.FAILED, records, failure, firstStarted);
            }
            if (groupRunning) {
                return new Progress(State.RUNNING, records, null, firstStarted);
            }
        }
        return new Progress(State.SUCCEEDED, records, null, firstStarted);
    }

    /** {@code <upgrade>-z<zone>-<step>-a<attempt>-<server>}: one key per host and attempt. */
    static String key(String keyPrefix, HostCommand hc) {
        return (keyPrefix + "-" + hc.target().serverName()).replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
