package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The configured zones as the steps look them up: by id, master first, and the Raft leader of each zone as
 * found by the preflight (kept in the process as {@code zoneLeaders}, e.g. {@code 0=fe1,100=fe2}, because a
 * stopped zone can no longer be asked who leads it).
 */
public final class Zones {

    private final FederationProperties federation;

    public Zones(FederationProperties federation) {
        this.federation = federation;
    }

    public FederationProperties federation() {
        return federation;
    }

    public List<ZoneProperties> all() {
        return federation.zones();
    }

    public ZoneProperties byId(int id) {
        return federation.zones().stream().filter(z -> z.id() != null && z.id() == id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("zone " + id + " is not configured under federation.zones"
                        + " (configured: " + federation.zones().stream().map(z -> String.valueOf(z.id()))
                        .collect(Collectors.joining(", ")) + ")"));
    }

    public ZoneProperties master() {
        return federation.zones().stream().filter(ZoneProperties::isMaster).findFirst()
                .orElseThrow(() -> new IllegalStateException("no zone has role master under federation.zones"));
    }

    public List<ZoneProperties> slaves() {
        return federation.zones().stream().filter(z -> !z.isMaster()).toList();
    }

    /** Slaves first, master last: the order in which zones are disabled (a slave forwards to the master). */
    public List<ZoneProperties> slavesThenMaster() {
        List<ZoneProperties> order = new java.util.ArrayList<>(slaves());
        order.add(master());
        return order;
    }

    public static String formatLeaders(Map<Integer, String> leaders) {
        return leaders.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    public static Map<Integer, String> parseLeaders(String text) {
        Map<Integer, String> leaders = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return leaders;
        }
        for (String pair : text.split(",")) {
            String[] kv = pair.split("=", 2);
            leaders.put(Integer.parseInt(kv[0].trim()), kv[1].trim());
        }
        return leaders;
    }

    /** The server that runs the zone's DB steps: its recorded leader, else its first server. */
    public static ServerProperties leaderOf(ZoneProperties zone, String zoneLeaders) {
        String name = parseLeaders(zoneLeaders).get(zone.id());
        return zone.servers().stream().filter(s -> s.name().equals(name)).findFirst().orElse(zone.servers().get(0));
    }
}
