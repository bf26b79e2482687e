package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ParsedTexts;
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

    /**
     * Hosts per zone whose node packages the orchestrator upgrades. Every list of a zone's hosts is a process
     * variable of any length ({@code Vars.longText}); the bound is the one command line that names them all
     * ({@code onehost sync} on the front-end, see {@code ZoneCommands.syncHosts}): sent as the SSH exec request,
     * it must stay well inside Linux' 128 KiB per argument (MAX_ARG_STRLEN).
     */
    public static final int MAX_HOSTS_PER_ZONE = 10_000;
    /**
     * Characters of the {@code onehost sync} id list: the detached run's start script carries the command twice and
     * the command names it twice (runuser, su), so 4 x 16 KiB plus the wrapper stays under 128 KiB.
     */
    public static final int MAX_ID_LIST_CHARS = 16 * 1024;

    /** One host as OpenNebula lists it (NAME is what SSH reaches unless nodes.addresses maps it). */
    public record Node(int id, String name) {
    }

    private final FederationProperties federation;
    private final OneClients clients;

    public NodeHosts(FederationProperties federation, OneClients clients) {
        this.federation = federation;
        this.clients = clients;
    }

    public String read() {
        Map<Integer, List<Node>> all = new LinkedHashMap<>();
        for (ZoneProperties zone : federation.all()) {
            if (zone.nodes() == null) {
                continue;
            }
            List<Node> hosts = new ArrayList<>();
            List<OneHost> pool;
            try {
                pool = clients.forZone(zone).hostPool();
            } catch (RuntimeException e) {
                throw new IllegalStateException("zone " + zone.id() + " (" + zone.name() + "): the host pool cannot be read: "
                        + e.getMessage(), e);
            }
            if (pool.size() > MAX_HOSTS_PER_ZONE) {
                throw new IllegalStateException("zone " + zone.id() + " (" + zone.name() + ") has " + pool.size()
                        + " hypervisor hosts; the node upgrade handles at most " + MAX_HOSTS_PER_ZONE + " per zone"
                        + " (the host list of 'onehost sync' must fit one command line): leave out"
                        + " federation.zones[id=" + zone.id() + "].nodes and upgrade the zone's hosts by hand");
            }
            for (OneHost h : pool) {
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
            String ids = idRanges(hosts);
            if (ids.length() > MAX_ID_LIST_CHARS) {
                throw new IllegalStateException("zone " + zone.id() + " (" + zone.name() + "): the ids of its "
                        + hosts.size() + " hosts make a list of " + ids.length() + " characters for 'onehost sync'"
                        + " (at most " + MAX_ID_LIST_CHARS + "; contiguous ids are written as ranges like 0..2999):"
                        + " leave out federation.zones[id=" + zone.id() + "].nodes and upgrade the zone's hosts by hand");
            }
            all.put(zone.id(), hosts);
        }
        return format(all);
    }

    /**
     * The hosts' ids as OpenNebula's CLI takes a range ({@code 1,8..15}: OpenNebula/one src/cli/command_parser.rb,
     * format_range, one-7.0; {@code onehost sync} takes {@code [:range, :hostid_list]}): ascending, runs of consecutive ids as
     * {@code a..b}, so thousands of hosts created one after another stay a short argument.
     */
    public static String idRanges(List<Node> hosts) {
        int[] ids = hosts.stream().mapToInt(Node::id).sorted().distinct().toArray();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            int from = ids[i];
            while (i + 1 < ids.length && ids[i + 1] == ids[i] + 1) {
                i++;
            }
            out.append(out.length() == 0 ? "" : ",").append(from);
            if (ids[i] > from) {
                out.append(ids[i] == from + 1 ? "," : "..").append(ids[i]);
            }
        }
        return out.toString();
    }

    public static String format(Map<Integer, List<Node>> hosts) {
        return hosts.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().stream()
                .map(n -> n.id() + ":" + n.name()).collect(Collectors.joining(" "))).collect(Collectors.joining(";"));
    }

    private static final ParsedTexts<Map<Integer, List<Node>>> PARSED = new ParsedTexts<>(16, NodeHosts::read);

    /** The text form's hosts by zone, in its order; unmodifiable. */
    public static Map<Integer, List<Node>> parse(String text) {
        return PARSED.parse(text == null ? "" : text);
    }

    private static Map<Integer, List<Node>> read(String text) {
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
            out.put(Integer.parseInt(kv[0].trim()), List.copyOf(nodes));
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** The zone's hosts; empty when the zone's nodes are not upgraded. */
    public static List<Node> of(String text, int zoneId) {
        return parse(text).getOrDefault(zoneId, List.of());
    }

    /** The list without the given hosts (by name) of one zone: what is left after an operator's "skip". */
    public static String without(String text, int zoneId, Set<String> names) {
        Map<Integer, List<Node>> all = new LinkedHashMap<>(parse(text));
        all.computeIfPresent(zoneId, (k, v) -> v.stream().filter(n -> !names.contains(n.name())).toList());
        return format(all);
    }
}
