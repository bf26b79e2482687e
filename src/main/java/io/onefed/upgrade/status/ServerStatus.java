package io.onefed.upgrade.status;

/** One front-end server of a zone as seen over SSH (host key verified). */
public record ServerStatus(String name, String address, boolean sshReachable, String hostKeyFingerprint,
        String error) {
}
