package io.onefed.upgrade.opennebula;

import java.util.List;

/** A {@code <ZONE>} of {@code one.zonepool.info} / {@code one.zone.info}. */
public record OneZone(int id, String name, State state, String endpoint, List<Server> servers) {

    /** ZONE/STATE since 6.2: 0 enabled, 1 disabled. Zones of older versions carry no STATE: ENABLED. */
    public enum State { ENABLED, DISABLED }

    /** SERVER_POOL/SERVER of an HA zone. */
    public record Server(int id, String name, String endpoint) {
    }

    public OneZone {
        servers = servers == null ? List.of() : List.copyOf(servers);
    }
}
