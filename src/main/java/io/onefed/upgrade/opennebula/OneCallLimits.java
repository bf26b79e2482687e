package io.onefed.upgrade.opennebula;

import java.time.Duration;

/**
 * Limits of one XML-RPC call: connect and read timeouts (every socket read), the largest answer accepted and the
 * longest a whole call may take (a server that drips bytes just inside the read timeout still ends).
 */
public record OneCallLimits(Duration connectTimeout, Duration readTimeout, long maxResponseBytes,
        Duration maxCallDuration) {

    public static final long DEFAULT_MAX_RESPONSE_BYTES = 16L * 1024 * 1024;

    public OneCallLimits {
        requirePositive(connectTimeout, "connect timeout");
        requirePositive(readTimeout, "read timeout");
        requirePositive(maxCallDuration, "maximum call duration");
        if (maxResponseBytes <= 0) {
            throw new IllegalArgumentException("maximum response size must be positive, got " + maxResponseBytes);
        }
    }

    public OneCallLimits withTimeouts(Duration connect, Duration read) {
        return new OneCallLimits(connect, read, maxResponseBytes, maxCallDuration);
    }

    int connectMillis() {
        return millis(connectTimeout);
    }

    int readMillis() {
        return millis(readTimeout);
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    private static void requirePositive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be a positive duration, got " + d);
        }
    }
}
