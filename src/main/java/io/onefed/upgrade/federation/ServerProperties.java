package io.onefed.upgrade.federation;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * A front-end server of a zone, reached over SSH. {@code endpoint} is its own XML-RPC endpoint (what
 * {@code onezone server-add --rpc} gave it, listed in the zone's SERVER_POOL); when left out it is the zone's
 * endpoint with this server's host. The oneadmin session is only ever sent to configured endpoints, so an HA
 * server whose SERVER_POOL endpoint is neither is reported, not asked.
 */
public record ServerProperties(String name, String host, Integer port, String user, String endpoint) {

    @org.springframework.boot.context.properties.bind.ConstructorBinding
    public ServerProperties {
        port = port == null ? 22 : port;
        user = user == null || user.isBlank() ? "root" : user;
        endpoint = endpoint == null || endpoint.isBlank() ? null : endpoint.trim();
    }

    public ServerProperties(String name, String host, Integer port, String user) {
        this(name, host, port, user, null);
    }

    /** This server's XML-RPC endpoint: the configured one, or the zone's endpoint at this server's host. */
    public String xmlRpcEndpoint(String zoneEndpoint) {
        if (endpoint != null) {
            return endpoint;
        }
        if (host == null || host.isBlank() || zoneEndpoint == null) {
            return null;
        }
        try {
            URI zone = new URI(zoneEndpoint.trim());
            String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
            return new URI(zone.getScheme() + "://" + h + (zone.getPort() == -1 ? "" : ":" + zone.getPort())
                    + (zone.getRawPath() == null ? "" : zone.getRawPath())).toString();
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
