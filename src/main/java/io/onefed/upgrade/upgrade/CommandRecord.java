package io.onefed.upgrade.upgrade;

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

    /** One line an operator understands in an incident or a form. */
    public String summary() {
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
