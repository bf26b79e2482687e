package io.onefed.upgrade.ssh;

import java.time.Duration;

/**
 * What a remote command did. stdout and stderr are captured separately and cut at a size cap
 * ({@code truncated}); {@code outputSha256} is the digest of the full, uncut output (stdout then stderr).
 */
public record CommandResult(int exitStatus, String stdout, String stderr, boolean truncated, String outputSha256,
        Duration duration) {

    public boolean succeeded() {
        return exitStatus == 0;
    }
}
