package io.onefed.upgrade.federation;

import java.time.Duration;

/**
 * How OpenNebula's XML-RPC API is called: timeouts of every call, the trust store for {@code https://}
 * endpoints, and whether plain {@code http://} to a host other than loopback is accepted (each call carries
 * oneadmin's password as its first parameter, so by default it is not; see {@link FederationConfigValidator}).
 */
public record XmlRpcProperties(Duration connectTimeout, Duration readTimeout, TrustStoreProperties trustStore,
                               Boolean allowPlainHttp) {

    @org.springframework.boot.context.properties.bind.ConstructorBinding
    public XmlRpcProperties {
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        readTimeout = readTimeout == null ? Duration.ofSeconds(30) : readTimeout;
        allowPlainHttp = allowPlainHttp != null && allowPlainHttp;
    }

    /** Timeouts only: no trust store (the JVM's CA certificates), plain HTTP to loopback only. */
    public XmlRpcProperties(Duration connectTimeout, Duration readTimeout) {
        this(connectTimeout, readTimeout, null, null);
    }

    public boolean plainHttpAllowed() {
        return allowPlainHttp;
    }

    static XmlRpcProperties defaults() {
        return new XmlRpcProperties(null, null);
    }
}
