package io.onefed.upgrade.opennebula;

import java.util.List;

/**
 * Typed OpenNebula XML-RPC calls on one endpoint. Every call fails with a {@link OneException} that carries
 * OpenNebula's error code and message (never the session string); unreachable endpoints and timeouts surface
 * as {@link OneUnreachableException}.
 */
public interface OneClient {

    String endpoint();

    List<OneZone> zonePool();

    OneZone zoneInfo(int zoneId);

    /** Answered by the server that is called. */
    RaftStatus raftStatus();

    /** {@code one.zone.enable}; must be sent to the zone's own endpoint (6.2+). */
    void zoneEnable(int zoneId, boolean enable);

    String systemVersion();

    List<OneHost> hostPool();

    /** {@code one.host.status}: enable or disable a host. */
    void hostStatus(int hostId, OneHost.Status status);

    List<OneVm> vmPool();
}
