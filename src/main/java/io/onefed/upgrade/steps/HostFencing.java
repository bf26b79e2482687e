package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.opennebula.OneHost;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The guide disables every hypervisor host before the upgrade and enables them after. Only hosts that were
 * enabled are recorded (and later re-enabled), so a host an operator had disabled on purpose stays so.
 * Recording and disabling are separate steps: a crash between them cannot lose the record, and both are
 * idempotent. Hosts are disabled while the zones still accept changes (a disabled zone refuses them).
 */
public class HostFencing {

    private final FederationProperties federation;
    private final OneClients clients;

    public HostFencing(FederationProperties federation, OneClients clients) {
        this.federation = federation;
        this.clients = clients;
    }

    /** {@code zoneId:hostId hostId;zoneId:...}, e.g. {@code 0:0 1;100:;101:2}. */
    public String recordEnabled() {
        Map<Integer, List<Integer>> enabled = new LinkedHashMap<>();
        for (ZoneProperties zone : federation.all()) {
            enabled.put(zone.id(), clients.forZone(zone).hostPool().stream()
                    .filter(h -> h.state() != 4 && h.state() != 8).map(OneHost::id).toList());
        }
        return format(enabled);
    }

    /** The enabled hosts of one zone only, in the same format: the zone-by-zone procedure fences a zone at a time. */
    public String recordEnabled(int zoneId) {
        ZoneProperties zone = federation.byId(zoneId);
        return format(Map.of(zone.id(), clients.forZone(zone).hostPool().stream()
                .filter(h -> h.state() != 4 && h.state() != 8).map(OneHost::id).toList()));
    }

    public int disable(String recorded) {
        return setStatus(recorded, OneHost.Status.DISABLED, federation.all());
    }

    /** @param leftOut zones an operator chose to leave behind: their hosts stay disabled with them */
    public int enable(String recorded, java.util.Set<Integer> leftOut) {
        return enable(recorded, leftOut, Map.of());
    }

    /** @param skipped per zone, hosts an operator skipped in the node upgrade: they stay disabled too */
    public int enable(String recorded, java.util.Set<Integer> leftOut, Map<Integer, java.util.Set<Integer>> skipped) {
        Map<Integer, List<Integer>> hosts = parse(recorded);
        hosts.replaceAll((zone, ids) -> ids.stream().filter(id -> !skipped.getOrDefault(zone, java.util.Set.of())
                .contains(id)).toList());
        return setStatus(format(hosts), OneHost.Status.ENABLED,
                federation.all().stream().filter(z -> !leftOut.contains(z.id())).toList());
    }

    /**
     * One XML-RPC call per host, side by side over all zones and hosts ({@link FederationProbe#inParallel}, 16 at
     * a time): the job's time grows with the federation's hosts divided by that, not with every host one after the
     * other (1500 hosts in a row would hold the job past its lock). Each call is idempotent, so the retry of a
     * failed fencing sets again what was already set.
     */
    private int setStatus(String recorded, OneHost.Status status, List<ZoneProperties> order) {
        Map<Integer, List<Integer>> hosts = parse(recorded);
        List<Runnable> calls = new ArrayList<>();
        for (ZoneProperties zone : order) {
            for (int hostId : hosts.getOrDefault(zone.id(), List.of())) {
                calls.add(() -> clients.forZone(zone).hostStatus(hostId, status));
            }
        }
        FederationProbe.inParallel(calls, call -> {
            call.run();
            return Boolean.TRUE;
        });
        return calls.size();
    }

    /**
     * Several records in one, each zone's hosts the union of its records: the zone-by-zone procedure records per
     * zone and per attempt, and a retried zone's second record misses the hosts its first attempt disabled.
     */
    public static String union(java.util.Collection<String> records) {
        Map<Integer, java.util.TreeSet<Integer>> all = new java.util.TreeMap<>();
        for (String record : records) {
            parse(record).forEach((zone, ids) -> all.computeIfAbsent(zone, z -> new java.util.TreeSet<>()).addAll(ids));
        }
        Map<Integer, List<Integer>> out = new LinkedHashMap<>();
        all.forEach((zone, ids) -> out.put(zone, List.copyOf(ids)));
        return format(out);
    }

    static String format(Map<Integer, List<Integer>> hosts) {
        return hosts.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue().stream().map(String::valueOf)
                .collect(Collectors.joining(" "))).collect(Collectors.joining(";"));
    }

    static Map<Integer, List<Integer>> parse(String text) {
        Map<Integer, List<Integer>> hosts = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return hosts;
        }
        for (String zone : text.split(";")) {
            String[] kv = zone.split(":", 2);
            List<Integer> ids = new ArrayList<>();
            if (kv.length > 1 && !kv[1].isBlank()) {
                for (String id : kv[1].trim().split(" +")) {
                    ids.add(Integer.parseInt(id));
                }
            }
            hosts.put(Integer.parseInt(kv[0].trim()), ids);
        }
        return hosts;
    }
}
