package io.onefed.upgrade.ssh;

import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;

/** One front-end server of one zone, as the SSH layer reaches it. Carries no secret. */
public record SshTarget(int zoneId, String zoneName, String serverName, String host, int port, String user) {

    public static SshTarget of(ZoneProperties zone, ServerProperties server) {
        return new SshTarget(zone.id(), zone.name(), server.name(), server.host(), server.port(), server.user());
    }

    /** {@code user@host:port}, for messages and reports. */
    public String address() {
        return user + "@" + host + ":" + port;
    }
}
