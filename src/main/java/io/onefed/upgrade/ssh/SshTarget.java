package io.onefed.upgrade.ssh;

import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;

/**
 * One front-end server (or hypervisor host) of one zone, as the SSH layer reaches it. Carries no secret: a
 * hypervisor host may name its own private key file and run directory (null: the federation's / the zone's).
 */
public record SshTarget(int zoneId, String zoneName, String serverName, String host, int port, String user,
        String privateKey, String runDir,
        /** A front-end the connection goes through (direct-tcpip, as ProxyJump), or null. */
        SshTarget jump) {

    public SshTarget(int zoneId, String zoneName, String serverName, String host, int port, String user) {
        this(zoneId, zoneName, serverName, host, port, user, null, null, null);
    }

    public SshTarget(int zoneId, String zoneName, String serverName, String host, int port, String user,
            String privateKey, String runDir) {
        this(zoneId, zoneName, serverName, host, port, user, privateKey, runDir, null);
    }

    public static SshTarget of(ZoneProperties zone, ServerProperties server) {
        return new SshTarget(zone.id(), zone.name(), server.name(), server.host(), server.port(), server.user());
    }

    /** {@code user@host:port}, for messages and reports. */
    public String address() {
        return user + "@" + host + ":" + port + (jump == null ? "" : " via " + jump.address());
    }
}
