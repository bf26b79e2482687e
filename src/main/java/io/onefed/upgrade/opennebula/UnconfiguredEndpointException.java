package io.onefed.upgrade.opennebula;

/** An endpoint the configuration does not name was about to receive oneadmin's session; nothing was sent. */
public class UnconfiguredEndpointException extends RuntimeException {

    private final String endpoint;

    public UnconfiguredEndpointException(String endpoint) {
        super("XML-RPC endpoint " + endpoint + " is not in the configuration (no federation.zones[].endpoint or"
                + " servers[].endpoint names it), so it was not called: oneadmin's session goes only to configured"
                + " endpoints; add it to the configuration if it belongs to the federation");
        this.endpoint = endpoint;
    }

    public String endpoint() {
        return endpoint;
    }
}
