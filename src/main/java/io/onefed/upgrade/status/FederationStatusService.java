package io.onefed.upgrade.status;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.XmlRpcProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.FedIndex;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.opennebula.OneZone;
import io.onefed.upgrade.opennebula.RaftStatus;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.ssh.SshTarget;
import io.onefed.upgrade.steps.FederationProbe;
import io.onefed.upgrade.steps.FederationProbe.Answer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

/**
 * The federation status view, built like {@code onezone list}: one {@code one.zonepool.info} to the master, then
 * {@code one.zone.raftstatus} (and {@code one.system.version}) on every zone's own endpoint with a short timeout,
 * plus an SSH probe of every configured front-end. Zones and servers are probed in parallel, so one dead zone
 * costs one timeout, not one per zone.
 */
@Service
public class FederationStatusService {

    /** What {@code onezone list} allows each zone's raftstatus (OpenNebula::Client timeout 5). */
    public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    private static final int MAX_PARALLEL = 16;

    private final FederationProperties federation;
    private final OneClients clients;
    private final ObjectProvider<RemoteShell> shells;
    private final Duration probeTimeout;
    private final FederationProbe zoneProbe;

    @Autowired
    public FederationStatusService(FederationProperties federation, OneClients clients,
            ObjectProvider<RemoteShell> shells) {
        this(federation, clients, shells, PROBE_TIMEOUT);
    }

    FederationStatusService(FederationProperties federation, OneClients clients, ObjectProvider<RemoteShell> shells,
            Duration probeTimeout) {
        this.federation = federation;
        this.clients = clients;
        this.shells = shells;
        this.probeTimeout = probeTimeout;
        this.zoneProbe = new FederationProbe(clients);
    }

    private record Row(int id, String name, ZoneProperties config, OneZone pooled, String endpoint) {
    }

    public FederationStatus status() {
        Instant probedAt = Instant.now();
        List<String> problems = new ArrayList<>();
        List<ZoneProperties> configured = federation.zones();
        if (configured.isEmpty()) {
            problems.add("no zones configured: describe them under federation.zones");
            return new FederationStatus(federation.name(), false, false, List.of(), problems, probedAt);
        }
        ZoneProperties master = configured.stream().filter(ZoneProperties::isMaster).findFirst().orElse(null);
        List<OneZone> pool = null;
        if (master == null) {
            problems.add("no zone has role master in federation.zones, so the zone pool was not read");
        } else {
            try {
                pool = clients.forZone(master).zonePool();
            } catch (RuntimeException e) {
                problems.add("zone pool not read from master zone " + master.id() + " (" + master.name() + "): "
                        + e.getMessage());
            }
        }
        List<Row> rows = rows(configured, pool, problems);

        ExecutorService executor = Executors.newFixedThreadPool(MAX_PARALLEL, daemonThreads("federation-status"));
        try {
            Map<Row, CompletableFuture<Answer>> probes = new LinkedHashMap<>();
            Map<Row, List<CompletableFuture<ServerStatus>>> ssh = new LinkedHashMap<>();
            for (Row row : rows) {
                probes.put(row, CompletableFuture.supplyAsync(() -> probe(row), executor));
                List<CompletableFuture<ServerStatus>> servers = new ArrayList<>();
                if (row.config() != null) {
                    for (ServerProperties server : row.config().servers()) {
                        servers.add(CompletableFuture.supplyAsync(() -> probeSsh(row.config(), server), executor));
                    }
                }
                ssh.put(row, servers);
            }
            String currentEndpoint = pool != null ? master.endpoint() : null;
            List<ZoneStatus> zones = new ArrayList<>();
            for (Row row : rows) {
                Answer p = probes.get(row).join();
                List<ServerStatus> servers = ssh.get(row).stream().map(CompletableFuture::join).toList();
                zones.add(new ZoneStatus(row.id(), row.name(),
                        row.config() == null ? null : row.config().role(),
                        row.endpoint(),
                        currentEndpoint != null && currentEndpoint.equals(row.endpoint()),
                        p.reachable(), p.version(),
                        row.pooled() == null ? null : row.pooled().state(),
                        p.raft() == null ? null : p.raft().state(),
                        p.raft() == null ? null : p.raft().fedlogIndex().toString(),
                        p.error(), servers));
                zoneProblems(row, p, servers, problems);
            }
            boolean inSync = inSync(rows, probes, problems);
            return new FederationStatus(federation.name(), problems.isEmpty(), inSync, zones, problems, probedAt);
        } finally {
            executor.shutdownNow();
        }
    }

    /** The federation's zones (from the pool) joined with the configured ones, by zone id. */
    private static List<Row> rows(List<ZoneProperties> configured, List<OneZone> pool, List<String> problems) {
        Map<Integer, ZoneProperties> byId = new LinkedHashMap<>();
        for (ZoneProperties z : configured) {
            if (z.id() != null) {
                byId.put(z.id(), z);
            }
        }
        List<Row> rows = new ArrayList<>();
        if (pool != null) {
            for (OneZone z : pool) {
                ZoneProperties config = byId.remove(z.id());
                if (config == null) {
                    problems.add("zone " + z.id() + " (" + z.name() + ") is in the federation but not in "
                            + "federation.zones; add it, every zone must be upgraded together");
                    rows.add(new Row(z.id(), z.name(), null, z, z.endpoint()));
                    continue;
                }
                if (z.endpoint() != null && !z.endpoint().trim().equals(config.endpoint())) {
                    problems.add("zone " + z.id() + " (" + z.name() + "): configured endpoint " + config.endpoint()
                            + " differs from the federation's " + z.endpoint() + "; correct federation.zones[].endpoint"
                            + " or the zone's ENDPOINT");
                }
                rows.add(new Row(z.id(), z.name(), config, z, config.endpoint()));
            }
        }
        for (ZoneProperties config : byId.values()) {
            if (pool != null) {
                problems.add("zone " + config.id() + " (" + config.name() + ") is configured but not in the master's "
                        + "zone pool; check its id in federation.zones");
            }
            rows.add(new Row(config.id(), config.name(), config, null, config.endpoint()));
        }
        return rows;
    }

    private Answer probe(Row row) {
        if (row.config() == null) {
            // the endpoint comes from the zone pool, not from federation.yaml: oneadmin's session is not sent there
            return new Answer(false, null, null, "not called: " + row.endpoint() + " is not in the configuration"
                    + " (add the zone to federation.zones to see it)");
        }
        XmlRpcProperties configuredTimeouts = federation.xmlrpc();
        Duration connect = min(configuredTimeouts.connectTimeout(), probeTimeout);
        return zoneProbe.ask(row.endpoint(), new XmlRpcProperties(connect, probeTimeout));
    }

    private ServerStatus probeSsh(ZoneProperties zone, ServerProperties server) {
        SshTarget target = SshTarget.of(zone, server);
        RemoteShell shell = shells.getIfAvailable();
        if (shell == null) {
            return new ServerStatus(server.name(), target.address(), false, null, "no SSH client in this application");
        }
        try {
            RemoteShell.ProbeResult r = shell.probe(target);
            return new ServerStatus(server.name(), target.address(), r.reachable(), r.hostKeyFingerprint(), r.error());
        } catch (RuntimeException e) {
            return new ServerStatus(server.name(), target.address(), false, null, e.getMessage());
        }
    }

    private static void zoneProblems(Row row, Answer p, List<ServerStatus> servers, List<String> problems) {
        String zone = "zone " + row.id() + " (" + row.name() + ")";
        if (row.config() == null) {
            // already reported as missing from federation.zones, and never called
        } else if (!p.reachable()) {
            problems.add(zone + " unreachable at " + row.endpoint() + ": " + p.error());
        } else if (p.error() != null) {
            problems.add(zone + " answered with an error: " + p.error());
        }
        if (row.pooled() != null && row.pooled().state() == OneZone.State.DISABLED) {
            problems.add(zone + " is disabled (onezone enable " + row.id() + ")");
        }
        if (p.raft() != null && p.raft().state() != RaftStatus.State.SOLO && p.raft().state() != RaftStatus.State.LEADER) {
            problems.add(zone + ": the server at " + row.endpoint() + " is " + p.raft().state().name().toLowerCase()
                    + "; the zone endpoint must reach a leader (or a solo server)");
        }
        for (ServerStatus s : servers) {
            if (!s.sshReachable()) {
                problems.add(zone + ": front-end " + s.name() + " (" + s.address() + ") not reachable over SSH: " + s.error());
            }
        }
    }

    private static boolean inSync(List<Row> rows, Map<Row, CompletableFuture<Answer>> probes, List<String> problems) {
        if (rows.isEmpty()) {
            return false;
        }
        List<FedIndex> indexes = new ArrayList<>();
        for (Row row : rows) {
            RaftStatus raft = probes.get(row).join().raft();
            if (raft == null) {
                return false; // a zone that did not answer cannot be shown in sync
            }
            indexes.add(raft.fedlogIndex());
        }
        boolean same = indexes.stream().distinct().count() == 1;
        if (!same) {
            StringBuilder sb = new StringBuilder("zones not in sync, FED_INDEX differs:");
            for (int i = 0; i < rows.size(); i++) {
                sb.append(' ').append(rows.get(i).id()).append('=').append(indexes.get(i));
            }
            problems.add(sb.toString());
        }
        return same;
    }

    private static Duration min(Duration a, Duration b) {
        return Objects.requireNonNullElse(a, b).compareTo(b) < 0 ? a : b;
    }

    /** Daemon threads named {@code <name>-1}, {@code <name>-2}...: a status probe or read never keeps the JVM alive. */
    public static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
