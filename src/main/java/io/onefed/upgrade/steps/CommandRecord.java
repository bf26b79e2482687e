package io.onefed.upgrade.steps;

import io.onefed.upgrade.ssh.RunStatus;
import java.time.Instant;

/**
 * What an auditor needs of one remote command: where, what, under which idempotency key, how it ended and its
 * output (tails; the digest covers the full output). Stored as JSON in the history, so it carries no secret:
 * commands are rendered without secrets by construction.
 */
public record CommandRecord(String zone, String server, String host, String command, String key, String state,
        Integer exitStatus, String stdout, String stderr, boolean truncated, String outputSha256, Instant started,
        Instant finished, boolean attached) {

    static CommandRecord of(HostCommand hc, String key, RunStatus s) {
        return new CommandRecord(hc.target().zoneName(), hc.target().serverName(), hc.target().address(),
                hc.command().rendered(), key, s.state().name(), s.exitStatus(), s.stdout(), s.stderr(), s.truncated(),
                s.outputSha256(), s.started(), s.finished(), s.attached());
    }

    /** State of a run whose key directory was gone when the engine, which had started it, looked for it. */
    public static final String VANISHED = "VANISHED";

    /**
     * The run was started (the engine committed its key) but its directory on the host is gone: whether the
     * command ran, runs or never ran is unknown, so it is not started again under the same key.
     */
    static CommandRecord vanished(HostCommand hc, String key) {
        String why = "the run directory of key " + key + " on host " + hc.target().address() + " ("
                + hc.target().serverName() + ") disappeared after it was started (run directory wiped: a reboot of"
                + " a tmpfs, a clean-up); the command may or may not have run. Check the host (is the command still"
                + " running, did its effect happen?), then decide: 'retry' runs it again under a new key, 'abort'"
                + " stops this zone; it is never run again on its own";
        return new CommandRecord(hc.target().zoneName(), hc.target().serverName(), hc.target().address(),
                hc.command().rendered(), key, VANISHED, null, null, why, false, null, null, null, false);
    }

    public boolean vanished() {
        return VANISHED.equals(state);
    }

    /** One line an operator understands in an incident or a form. */
    public String summary() {
        if (vanished()) {
            return "'" + command + "' on " + server + " (" + host + "): " + stderr;
        }
        String tail = stderr == null || stderr.isBlank() ? stdout : stderr;
        return "'" + command + "' on " + server + " (" + host + ") exited " + exitStatus
                + (tail == null || tail.isBlank() ? "" : ": " + lastLines(tail, 5));
    }

    static String lastLines(String text, int n) {
        String[] lines = text.strip().split("\n");
        int from = Math.max(0, lines.length - n);
        return String.join(" | ", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
