package io.onefed.upgrade.opennebula;

import io.onefed.upgrade.federation.XmlRpcProperties;
import io.onefed.upgrade.federation.ZoneProperties;

/** Hands out a client for one zone's own XML-RPC endpoint (each zone is always called on its own endpoint). */
public interface OneClients {

    OneClient forZone(ZoneProperties zone);

    /** For HA servers and for the zone endpoints read from the zone pool. */
    OneClient forEndpoint(String endpoint);

    /**
     * Same, with other timeouts than {@code federation.xmlrpc}: e.g. the short probes of the status view.
     * {@link DefaultOneClients} applies them; in-memory fakes, which cannot hang, may ignore them.
     */
    default OneClient forEndpoint(String endpoint, XmlRpcProperties timeouts) {
        return forEndpoint(endpoint);
    }
}
