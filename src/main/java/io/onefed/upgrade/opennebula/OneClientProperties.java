package io.onefed.upgrade.opennebula;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the XML-RPC client that protect the orchestrator from a broken or hostile server (prefix
 * {@code onefed.xmlrpc}). The per-call timeouts are part of the federation ({@code federation.xmlrpc}).
 */
@ConfigurationProperties(prefix = "onefed.xmlrpc")
public record OneClientProperties(
        /** Largest answer accepted; a bigger one fails the call. OpenNebula pools of big clouds reach a few MiB. */
        DataSize maxResponseSize,
        /** Longest a whole call may take, whatever the read timeout. */
        Duration maxCallDuration) {

    public OneClientProperties {
        maxResponseSize = maxResponseSize == null ? DataSize.ofBytes(OneCallLimits.DEFAULT_MAX_RESPONSE_BYTES) : maxResponseSize;
        maxCallDuration = maxCallDuration == null ? Duration.ofMinutes(2) : maxCallDuration;
        if (maxResponseSize.toBytes() <= 0) {
            throw new IllegalArgumentException("onefed.xmlrpc.max-response-size must be positive, e.g. 16MB");
        }
        if (maxCallDuration.isNegative() || maxCallDuration.isZero()) {
            throw new IllegalArgumentException("onefed.xmlrpc.max-call-duration must be positive, e.g. 2m");
        }
    }

    public static OneClientProperties defaults() {
        return new OneClientProperties(null, null);
    }
}
