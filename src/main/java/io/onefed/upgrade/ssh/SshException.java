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

    /**
     * The host has not answered within the caller's bound, and nothing is known to have failed: its session is still
     * connecting (the connect goes on and joins the pool), every channel to it is busy, or a read-only status
     * request got no answer in time (it is abandoned; the run it asked about is not touched). Asking again later is
     * the cure, so a poll reports "no news" instead of failing its job.
     */
    public static class StillWaiting extends Timeout {
        public StillWaiting(String message) {
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
