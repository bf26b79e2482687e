package io.onefed.upgrade.ssh;

/**
 * A failure talking to a host over SSH. Messages name the host and the fix, never a secret. The subtypes let
 * callers tell an operator problem (host key, authentication) from a transient one (timeout, dropped link)
 * that a retry may cure.
 */
public class SshException extends RuntimeException {

    public SshException(String message) {
        super(message);
    }

    public SshException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The host presented a key that known_hosts does not vouch for (unknown or changed). Retrying does not help. */
    public static class HostKeyRejected extends SshException {
        private final String presentedFingerprint;

        public HostKeyRejected(String message, String presentedFingerprint) {
            super(message);
            this.presentedFingerprint = presentedFingerprint;
        }

        public String presentedFingerprint() {
            return presentedFingerprint;
        }
    }

    /** The host refused our key, or the key could not be loaded. Retrying does not help. */
    public static class AuthenticationFailed extends SshException {
        public AuthenticationFailed(String message) {
            super(message);
        }

        public AuthenticationFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Connect or command did not finish in time. */
    public static class Timeout extends SshException {
        public Timeout(String message) {
            super(message);
        }
    }

    /** {@link DetachedRuns#await} was asked about a key that was never started on that host. */
    public static class NoSuchRun extends SshException {
        public NoSuchRun(String message) {
            super(message);
        }
    }
}
