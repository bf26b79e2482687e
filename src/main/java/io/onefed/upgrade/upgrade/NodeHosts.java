package io.onefed.upgrade.upgrade;

import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.opennebula.OneHost;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The hypervisor hosts whose node packages the upgrade touches: read once from each zone's
 * {@code one.hostpool.info} before the plan (zones with {@code nodes} configured only) and kept in the process as
 * {@code zoneNodes}, so the plan shows every host and its hash covers the list. OFFLINE hosts (powered off) are
 * left out: they cannot be reached, and {@code onehost sync} never syncs them either.
 * Text form: {@code zoneId=hostId:name hostId:name;zoneId=...}, e.g. {@code 0=0:kvm1 1:kvm2;100=}.
 */
public class NodeHosts {

    /** One host as OpenNebula lists it (NAME is what SSH reaches unless nodes.addresses maps it). */
    public record Node(int id, String name) {
    }

    private final Zones zones;
    private final OneClients clients;

    public NodeHosts(Zones zones, OneClients clients) {
        this.zones = zones;
        this.clients = clients;
    }

    public String read() {
        Map<Integer, List<Node>> all = new LinkedHashMap<>();
        for (ZoneProperties zone : zones.all()) {
            if (zone.nodes() == null) {
                continue;
            }
            List<Node> hosts = new ArrayList<>();
            for (OneHost h : clients.forZone(zone).hostPool()) {
                if (h.state() == 8) {
                    continue;
                }
                if (h.name() == null || !h.name().matches("[A-Za-z0-9._-]{1,255}")) {
                    throw new IllegalStateException("zone " + zone.name() + ": host " + h.id() + " is named '"
                            + h.name() + "', which is not a host name SSH can reach; map it in federation.zones[id="
                            + zone.id() + "].nodes.addresses or rename the host in OpenNebula");
                }
                hosts.add(new Node(h.id(), h.name()));
            }
            all.put(zone.id(), hosts);
        }
        return format(all);
    }

    public static String format(Map<Integer, List<Node>> hosts) {
        return hosts.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().stream()
                .map(n -> n.id() + ":" + n.name()).collect(Collectors.joining(" "))).collect(Collectors.joining(";"));
    }

    public static Map<Integer, List<Node>> parse(String text) {
        Map<Integer, List<Node>> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String zone : text.split(";")) {
            String[] kv = zone.split("=", 2);
            List<Node> nodes = new ArrayList<>();
            if (kv.length > 1 && !kv[1].isBlank()) {
                for (String n : kv[1].trim().split(" +")) {
                    String[] idName = n.split(":", 2);
                    nodes.add(new Node(Integer.parseInt(idName[0]), idName[1]));
                }
            }
            out.put(Integer.parseInt(kv[0].trim()), nodes);
        }
        return out;
    }

    /** The zone's hosts; empty when the zone's nodes are not upgraded. */
    public static List<Node> of(String text, int zoneId) {
        return parse(text).getOrDefault(zoneId, List.of());
    }

    /** The list without the given hosts (by name) of one zone: what is left after an operator's "skip". */
    public static String without(String text, int zoneId, Set<String> names) {
        Map<Integer, List<Node>> all = parse(text);
        all.computeIfPresent(zoneId, (k, v) -> v.stream().filter(n -> !names.contains(n.name())).toList());
        return format(all);
    }
}
