package io.onefed.upgrade.federation;

import java.time.Duration;

/** Timeouts of every OpenNebula XML-RPC call. */
public record XmlRpcProperties(Duration connectTimeout, Duration readTimeout) {

    public XmlRpcProperties {
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        readTimeout = readTimeout == null ? Duration.ofSeconds(30) : readTimeout;
    }

    static XmlRpcProperties defaults() {
        return new XmlRpcProperties(null, null);
    }
}
