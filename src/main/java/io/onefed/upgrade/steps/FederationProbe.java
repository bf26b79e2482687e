package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.ConfiguredEndpoints;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.XmlRpcProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.OneClient;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.opennebula.OneUnreachableException;
import io.onefed.upgrade.opennebula.OneZone;
import io.onefed.upgrade.opennebula.RaftStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Read-only questions to a zone's API, shared by the preflight, the post-checks and the status view: version,
 * enabled state, Raft state, FED_INDEX and, for HA zones, which server leads. Each zone is asked on its own
 * endpoint. The steps {@link #read read} a zone as a whole (any error: not usable); the status view
 * {@link #ask asks} an endpoint with a short timeout and shows whatever part of the answer came back.
 */
public class FederationProbe {

    /** What one endpoint answered to {@link #ask}: the raft status (with FED_INDEX) and the version, each if read. */
    public record Answer(boolean reachable, String version, RaftStatus raft, String error) {
    }

    private final OneClients clients;

    public FederationProbe(OneClients clients) {
        this.clients = clients;
    }

    public ZoneReading read(ZoneProperties zone) {
        String role = zone.isMaster() ? "master" : "slave";
        try {
            OneClient client = clients.forZone(zone);
            String version = client.systemVersion();
            OneZone info = client.zoneInfo(zone.id());
            RaftStatus raft = client.raftStatus();
            List<String> unknown = unknownServers(zone, info);
            // a SERVER_POOL member the configuration does not name is never called: no leader is picked, and the
            // reading says why (the preflight's "Raft leader" check shows it)
            String leader = unknown.isEmpty() ? leader(zone, info, raft) : null;
            return new ZoneReading(zone.id(), zone.name(), role, zone.endpoint(), true, version,
                    info.state().name(), raft.state().name(), raft.fedlogIndex().toString(), leader,
                    unknown.isEmpty() ? null : String.join("; ", unknown));
        } catch (RuntimeException e) {
            return new ZoneReading(zone.id(), zone.name(), role, zone.endpoint(), false, null, null, null, null,
                    null, e.getMessage());
        }
    }

    /**
     * {@code one.zone.raftstatus} then {@code one.system.version} on {@code endpoint} with {@code timeouts}, as
     * {@code onezone list} does: an unreachable endpoint ends the probe, any other error is kept beside what answered.
     */
    public Answer ask(String endpoint, XmlRpcProperties timeouts) {
        OneClient client;
        try {
            client = clients.forEndpoint(endpoint, timeouts);
        } catch (RuntimeException e) {
            return new Answer(false, null, null, e.getMessage());
        }
        RaftStatus raft = null;
        String version = null;
        List<String> errors = new ArrayList<>();
        boolean reachable = true;
        try {
            raft = client.raftStatus();
        } catch (OneUnreachableException e) {
            return new Answer(false, null, null, e.getMessage());
        } catch (RuntimeException e) {
            errors.add(e.getMessage());
        }
        try {
            version = client.systemVersion();
        } catch (OneUnreachableException e) {
            reachable = false;
            errors.add(e.getMessage());
        } catch (RuntimeException e) {
            errors.add(e.getMessage());
        }
        return new Answer(reachable, version, raft, errors.isEmpty() ? null : String.join("; ", errors));
    }

    /**
     * The configured server that leads the zone: for a single front-end, that server; for HA, the SERVER_POOL
     * member whose own endpoint says LEADER, matched to the configuration by name. Null when none leads.
     */
    String leader(ZoneProperties zone, OneZone info, RaftStatus answeringServer) {
        if (!zone.ha() || info.servers().isEmpty()) {
            return zone.servers().isEmpty() ? null : zone.servers().get(0).name();
        }
        for (OneZone.Server server : info.servers()) {
            ServerProperties configured = ConfiguredEndpoints.server(zone, server.endpoint());
            if (configured == null) {
                continue; // never asked: see unknownServers
            }
            try {
                RaftStatus status = clients.forEndpoint(server.endpoint()).raftStatus();
                if (status.state() == RaftStatus.State.LEADER) {
                    // the configured server at that endpoint: its (validated) name, whatever SERVER_POOL calls it
                    return configured.name();
                }
            } catch (RuntimeException e) {
                // an unreachable follower does not hide the leader
            }
        }
        return null;
    }

    /** The HA zone's SERVER_POOL members whose endpoint is not a configured server's, each with the fix. */
    static List<String> unknownServers(ZoneProperties zone, OneZone info) {
        if (!zone.ha()) {
            return List.of();
        }
        return info.servers().stream().filter(s -> ConfiguredEndpoints.server(zone, s.endpoint()) == null)
                .map(s -> ConfiguredEndpoints.unknownServer(zone, s.name(), s.endpoint())).toList();
    }

    public List<ZoneReading> readAll(List<ZoneProperties> zones) {
        return inParallel(zones, ZONES_AT_ONCE, this::read);
    }

    /**
     * How many zones are asked at once where each zone gets one request at a time (its oned one call, its front-end
     * one or two commands): the limit is the service's own threads, not a host's, so 100 zones go in one wave.
     */
    public static final int ZONES_AT_ONCE = 128;

    /**
     * Where the calls may go to one host (fencing: every host of a zone through its one oned, whose XML-RPC server
     * keeps MAX_CONN = 15 connections and MAX_CONN_BACKLOG = 15 waiting by default: the oned.conf reference of
     * OpenNebula/docs, "XML-RPC server configuration"): 16 at a time.
     */
    static final int CALLS_AT_ONCE = 16;

    /** Zones are independent: ask them side by side, so 100 zones do not cost 100 round trips in a row. */
    public static <T, R> List<R> inParallel(List<T> items, java.util.function.Function<T, R> f) {
        return inParallel(items, CALLS_AT_ONCE, f);
    }

    /** As {@link #inParallel(List, java.util.function.Function)}, at most {@code maxAtOnce} at a time. */
    public static <T, R> List<R> inParallel(List<T> items, int maxAtOnce, java.util.function.Function<T, R> f) {
        if (items.size() <= 1) {
            return items.stream().map(f).toList();
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                Math.min(items.size(), maxAtOnce));
        try {
            List<java.util.concurrent.Future<R>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(pool.submit(() -> f.apply(item)));
            }
            List<R> results = new ArrayList<>();
            for (java.util.concurrent.Future<R> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading zones", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
