package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.OneClients;
import java.util.ArrayList;
import java.util.List;

/**
 * Blocks and re-opens API access with {@code one.zone.enable} (6.2+), each zone on its own endpoint. A slave
 * forwards the change to the master, so the master must be up and enabled: slaves are disabled first and the
 * master last, and the master is enabled first. Both directions are idempotent.
 */
public class ApiAccess {

    private final FederationProperties federation;
    private final OneClients clients;

    public ApiAccess(FederationProperties federation, OneClients clients) {
        this.federation = federation;
        this.clients = clients;
    }

    public List<String> block() {
        List<String> done = new ArrayList<>();
        for (ZoneProperties zone : federation.slavesThenMaster()) {
            clients.forZone(zone).zoneEnable(zone.id(), false);
            done.add(zone.name() + " disabled");
        }
        return done;
    }

    /** @param leftOut zones an operator chose to leave behind (failed slaves): they stay down and disabled */
    public List<String> unblock(java.util.Set<Integer> leftOut) {
        List<String> done = new ArrayList<>();
        List<ZoneProperties> order = new ArrayList<>(federation.slavesThenMaster());
        java.util.Collections.reverse(order);
        for (ZoneProperties zone : order) {
            if (leftOut.contains(zone.id())) {
                done.add(zone.name() + " left disabled");
                continue;
            }
            clients.forZone(zone).zoneEnable(zone.id(), true);
            done.add(zone.name() + " enabled");
        }
        return done;
    }
}
