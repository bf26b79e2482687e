package io.onefed.upgrade.opennebula;

import io.onefed.upgrade.federation.ConfiguredEndpoints;
import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.XmlRpcProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.tls.ClientTls;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.xmlrpc.client.XmlRpcClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Clients keyed by endpoint and timeouts. All share one Apache XML-RPC client (its transport hands out an
 * {@code HttpURLConnection} per call, whose keep-alive cache reuses the TCP connection to each front-end).
 * The session is read from {@code federation.credentials} at every call and never kept, and only endpoints the
 * configuration names get a client ({@link ConfiguredEndpoints}).
 */
@Component
public class DefaultOneClients implements OneClients {

    static final String CREDENTIALS_FIELD = "federation.credentials";

    private final FederationProperties federation;
    private final SecretResolver secrets;
    private final OneClientProperties limits;
    private final XmlRpcClient rpc = HardenedXmlRpc.newClient();
    private final Map<String, XmlRpcOneClient> clients = new ConcurrentHashMap<>();
    /** From federation.xmlrpc.trust-store, opened on first use (the validator checked it at start-up). */
    private volatile ClientTls tls;

    @Autowired
    public DefaultOneClients(FederationProperties federation, ObjectProvider<SecretResolver> secrets,
            ObjectProvider<OneClientProperties> limits) {
        this(federation, secrets.getIfAvailable(SecretResolver::new), limits.getIfAvailable(OneClientProperties::defaults));
    }

    public DefaultOneClients(FederationProperties federation, SecretResolver secrets, OneClientProperties limits) {
        this.federation = federation;
        this.secrets = secrets;
        this.limits = limits;
    }

    @Override
    public OneClient forZone(ZoneProperties zone) {
        if (zone.endpoint() == null || zone.endpoint().isBlank()) {
            throw new IllegalArgumentException("zone " + zone.id() + " (" + zone.name()
                    + ") has no endpoint: set federation.zones[].endpoint, e.g. http://<front-end>:2633/RPC2");
        }
        return forEndpoint(zone.endpoint());
    }

    @Override
    public OneClient forEndpoint(String endpoint) {
        return forEndpoint(endpoint, federation.xmlrpc());
    }

    @Override
    public OneClient forEndpoint(String endpoint, XmlRpcProperties timeouts) {
        // the last gate before the session leaves: endpoints read from OpenNebula's answers are not trusted
        if (!ConfiguredEndpoints.isConfigured(federation, endpoint)) {
            throw new UnconfiguredEndpointException(endpoint);
        }
        OneCallLimits callLimits = new OneCallLimits(timeouts.connectTimeout(), timeouts.readTimeout(),
                limits.maxResponseSize().toBytes(), limits.maxCallDuration());
        String key = endpoint + '|' + callLimits.connectTimeout() + '|' + callLimits.readTimeout();
        return clients.computeIfAbsent(key, k -> new XmlRpcOneClient(endpoint, callLimits, this::session, rpc, tls()));
    }

    /** One socket factory for all endpoints, so kept-alive TLS connections are reused. */
    private ClientTls tls() {
        ClientTls current = tls;
        if (current == null) {
            synchronized (this) {
                if (tls == null) {
                    // the per-call XmlRpcProperties (status probes) carry timeouts only: trust is the federation's
                    tls = ClientTls.of(federation.xmlrpc().trustStore(), secrets);
                }
                current = tls;
            }
        }
        return current;
    }

    private char[] session() {
        char[] value = secrets.resolve(federation.credentials(), CREDENTIALS_FIELD);
        int colon = -1;
        for (int i = 0; i < value.length; i++) {
            if (value[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon <= 0 || colon == value.length - 1) {
            java.util.Arrays.fill(value, '\0');
            throw new SecretResolver.SecretUnavailableException(CREDENTIALS_FIELD + " (" + federation.credentials()
                    + ") must hold oneadmin's session as user:password, like ~/.one/one_auth");
        }
        return value;
    }
}
