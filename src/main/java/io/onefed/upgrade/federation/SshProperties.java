package io.onefed.upgrade.federation;

import java.time.Duration;

/** How the orchestrator reaches the front-end servers over SSH. */
public record SshProperties(
        /** Private key file (OpenSSH or PEM format). */
        String privateKey,
        /** Passphrase of the private key, if it has one. */
        SecretRef passphrase,
        /** known_hosts file the host keys are verified against. */
        String knownHosts,
        /** Explicit opt-in: accept and record unknown host keys (logged). A changed key is always refused. */
        boolean acceptNewHostKeys,
        Duration connectTimeout,
        /** Limit for synchronous (read-only) commands; detached runs are awaited in bounded long-polls instead. */
        Duration commandTimeout) {

    public SshProperties {
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(10) : connectTimeout;
        commandTimeout = commandTimeout == null ? Duration.ofMinutes(2) : commandTimeout;
    }

    static SshProperties defaults() {
        return new SshProperties(null, null, null, false, null, null);
    }
}
