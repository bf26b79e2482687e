package io.onefed.upgrade.ssh;

/**
 * Synchronous remote commands, for read-only probes (status, versions, checks). Anything that changes a host
 * goes through {@link DetachedRuns} instead, so that it runs exactly once.
 */
public interface RemoteShell {

    /** Runs the command and waits for it, up to the configured command timeout. */
    CommandResult run(SshTarget target, RemoteCommand command);

    /**
     * Proves the host answers now: a channel opened and confirmed on the pooled session (connected, host key
     * verified, when none is up). Runs nothing on the host.
     */
    ProbeResult probe(SshTarget target);

    record ProbeResult(boolean reachable, String hostKeyFingerprint, String error) {
    }
}
