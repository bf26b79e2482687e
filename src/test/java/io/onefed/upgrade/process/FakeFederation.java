package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretRef;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.FedIndex;
import io.onefed.upgrade.opennebula.OneClient;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.opennebula.OneHost;
import io.onefed.upgrade.opennebula.OneUnreachableException;
import io.onefed.upgrade.opennebula.OneVm;
import io.onefed.upgrade.opennebula.OneZone;
import io.onefed.upgrade.opennebula.RaftStatus;
import io.onefed.upgrade.ssh.CommandResult;
import io.onefed.upgrade.ssh.DetachedRuns;
import io.onefed.upgrade.ssh.FileTransfer;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.ssh.RunStatus;
import io.onefed.upgrade.ssh.SshTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory federation for the process path tests: zones with a version, an enabled flag, FED_INDEX, hosts,
 * and a running oned; commands "run" instantly and change that state the way the real ones do (package upgrade
 * moves the installed version, start brings the API back on it). Failures are injected per command fragment.
 * The end-to-end tests use the real simulated federation instead.
 */
class FakeFederation implements OneClients, RemoteShell, DetachedRuns, FileTransfer {

    static final class Zone {
        final ZoneProperties config;
        String version;
        String installed;
        /** The version before the upgrade: what the rollback's package step installs again. */
        final String before;
        boolean enabled = true;
        boolean running = true;
        long fedIndex = 715438;
        // host status calls arrive in parallel (HostFencing)
        final Map<Integer, Integer> hostStates = Collections.synchronizedMap(new LinkedHashMap<>());
        final List<OneVm> vms = new ArrayList<>();
        String leader;

        Zone(ZoneProperties config, String version) {
            this.config = config;
            this.version = version;
            this.installed = version;
            this.before = version;
            this.leader = config.servers().get(0).name();
        }
    }

    final Map<Integer, Zone> zones = new LinkedHashMap<>();
    final FederationProperties properties;
    /** Every command started, in order, as {@code zone/server: command}. */
    final List<String> started = Collections.synchronizedList(new ArrayList<>());
    final Map<String, RunStatus> runs = new ConcurrentHashMap<>();
    /** Command fragment -> how many more runs of it fail. */
    final Map<String, Integer> failures = new ConcurrentHashMap<>();
    /**
     * Commands (by a part of their text) that fail on the hosts the predicate names, however often and in whatever
     * order they start: a group's starts run side by side (RemoteStepRunner), so "the next N starts fail" would name
     * other hosts from one run to the next.
     */
    final Map<String, java.util.function.Predicate<SshTarget>> failOn = new ConcurrentHashMap<>();
    /** Command fragments whose runs stay RUNNING. */
    final List<String> hanging = Collections.synchronizedList(new ArrayList<>());
    volatile boolean unitsStuck;
    /** The previous series' repository no longer offers the running version (a rollback could not reinstall it). */
    volatile boolean previousWithdrawn;
    /** Zones whose oned does not answer after its start: the start command succeeds, the API stays down. */
    final java.util.Set<Integer> apiStaysDown = ConcurrentHashMap.newKeySet();
    /** HA follower name -> how many log records it is behind its leader (one.zone.raftstatus LOG_INDEX). */
    final Map<String, Integer> raftLag = new ConcurrentHashMap<>();

    int lag(String server) {
        return raftLag.getOrDefault(server, 0);
    }
    /** Release -> the shared DB version its code requires, where it is not its series' X.Y.0 (issue 14). */
    final Map<String, String> requiredShared = new ConcurrentHashMap<>();
    /** Servers whose SSH does not answer: starting a run there throws, as the real SSH layer does. */
    final java.util.Set<String> sshDown = ConcurrentHashMap.newKeySet();

    FakeFederation(String version, boolean haMaster, String... slaveNames) {
        this(version, haMaster, false, slaveNames);
    }

    /** @param nodes every zone configures its hypervisor hosts (nodes, one host at a time) for the node upgrade */
    FakeFederation(String version, boolean haMaster, boolean nodes, String... slaveNames) {
        this(version, haMaster, nodes ? 1 : 0, slaveNames);
    }

    /**
     * A master whose {@code hosts} hypervisor hosts (ids 0.., named {@code hostPrefix + id}) are upgraded
     * {@code concurrency} at a time; the slaves' hosts are not touched.
     */
    static FakeFederation largeMaster(int hosts, int concurrency, String hostPrefix, String... slaveNames) {
        FakeFederation fed = new FakeFederation("6.10.0", false, -concurrency, slaveNames);
        fed.hostNamePrefix = hostPrefix;
        Zone master = fed.zone(0);
        master.hostStates.clear();
        for (int i = 0; i < hosts; i++) {
            master.hostStates.put(i, 2);
        }
        return fed;
    }

    /** Name of each host in the host pool: prefix and id. */
    String hostNamePrefix = "host";

    /** @param nodes concurrency of every zone's node upgrade (0: none), negative: the master's only */
    private FakeFederation(String version, boolean haMaster, int nodes, String... slaveNames) {
        List<ZoneProperties> list = new ArrayList<>();
        list.add(withNodes(zone(0, "M-EU-FR", "master", haMaster), Math.abs(nodes)));
        int id = 100;
        for (String name : slaveNames) {
            list.add(withNodes(zone(id++, name, "slave", false), Math.max(nodes, 0)));
        }
        properties = new FederationProperties("guide", new SecretRef("ONE_AUTH_TEST", null), null, null, list);
        for (ZoneProperties z : list) {
            Zone zone = new Zone(z, version);
            zone.hostStates.put(z.id() * 10, 2);
            zone.hostStates.put(z.id() * 10 + 1, 4); // disabled on purpose by an operator: must stay so
            zones.put(z.id(), zone);
        }
    }

    static FakeFederation guide(String version) {
        return new FakeFederation(version, false, "S-EU-GE", "S-US-CA");
    }

    private static ZoneProperties zone(int id, String name, String role, boolean ha) {
        List<ServerProperties> servers = new ArrayList<>();
        int count = ha ? 3 : 1;
        for (int i = 0; i < count; i++) {
            servers.add(new ServerProperties(name.toLowerCase() + "-fe" + i, "10.0." + id + "." + i, 22, "root"));
        }
        return new ZoneProperties(id, name, role, "http://10.0." + id + ".0:2633/RPC2", ha, "debian", null,
                List.of("apache2"), null, null, servers);
    }

    private static ZoneProperties withNodes(ZoneProperties z, int concurrency) {
        return concurrency == 0 ? z : new ZoneProperties(z.id(), z.name(), z.role(), z.endpoint(), z.ha(), z.osFamily(),
                z.database(), z.extraServices(), z.repository(), z.paths(), z.servers(),
                new io.onefed.upgrade.federation.NodeProperties(null, null, null, concurrency, null, null, null, null, null));
    }

    Zone zone(int id) {
        return zones.get(id);
    }

    Zone byEndpoint(String endpoint) {
        return zones.values().stream().filter(z -> z.config.endpoint().equals(endpoint)).findFirst()
                .orElseThrow(() -> new OneUnreachableException(endpoint, "one.zone.raftstatus", "unknown endpoint"));
    }

    long count(String fragment) {
        synchronized (started) {
            return started.stream().filter(c -> c.contains(fragment)).count();
        }
    }

    // ------------------------------------------------------------------ OneClients
    @Override
    public OneClient forZone(ZoneProperties zone) {
        return client(zones.get(zone.id()));
    }

    @Override
    public OneClient forEndpoint(String endpoint) {
        for (Zone z : zones.values()) {
            // an HA server's own endpoint first: the zone endpoint may be its address too
            for (ServerProperties s : z.config.servers()) {
                if (z.config.ha() && serverEndpoint(s).equals(endpoint)) {
                    return serverClient(z, s);
                }
            }
            if (z.config.endpoint().equals(endpoint)) {
                return client(z);
            }
        }
        throw new IllegalArgumentException(endpoint);
    }

    static String serverEndpoint(ServerProperties s) {
        return "http://" + s.host() + ":2633/RPC2";
    }

    private OneClient serverClient(Zone z, ServerProperties s) {
        OneClient zoneClient = client(z);
        return new Client(z) {
            @Override
            public RaftStatus raftStatus() {
                RaftStatus r = zoneClient.raftStatus();
                return new RaftStatus(z.config.servers().indexOf(s),
                        s.name().equals(z.leader) ? RaftStatus.State.LEADER : RaftStatus.State.FOLLOWER,
                        1, -1, 10, s.name().equals(z.leader) ? 10 : 10 - lag(s.name()), 1, r.fedlogIndex());
            }
        };
    }

    private OneClient client(Zone z) {
        return new Client(z);
    }

    private class Client implements OneClient {
        final Zone z;

        Client(Zone z) {
            this.z = z;
        }

        void up(String method) {
            if (!z.running) {
                throw new OneUnreachableException(z.config.endpoint(), method, "Connection refused");
            }
        }

        @Override
        public String endpoint() {
            return z.config.endpoint();
        }

        @Override
        public List<OneZone> zonePool() {
            up("one.zonepool.info");
            return zones.values().stream().map(this::info).toList();
        }

        OneZone info(Zone zone) {
            List<OneZone.Server> servers = zone.config.ha() ? zone.config.servers().stream()
                    .map(s -> new OneZone.Server(zone.config.servers().indexOf(s), s.name(), serverEndpoint(s))).toList()
                    : List.of();
            return new OneZone(zone.config.id(), zone.config.name(),
                    zone.enabled ? OneZone.State.ENABLED : OneZone.State.DISABLED, zone.config.endpoint(), servers);
        }

        @Override
        public OneZone zoneInfo(int zoneId) {
            up("one.zone.info");
            return info(zones.get(zoneId));
        }

        @Override
        public RaftStatus raftStatus() {
            up("one.zone.raftstatus");
            return new RaftStatus(-1, RaftStatus.State.SOLO, 0, -1, 0, 0, 0, new FedIndex(z.fedIndex));
        }

        @Override
        public void zoneEnable(int zoneId, boolean enable) {
            up("one.zone.enable");
            if (zoneId != z.config.id()) {
                throw new IllegalStateException("zone.enable sent to the wrong endpoint");
            }
            Zone master = zones.get(0);
            if (!master.running || (!master.enabled && z != master)) {
                throw new IllegalStateException("slave cannot forward zone.enable: master down or disabled");
            }
            z.enabled = enable;
            started.add(z.config.name() + "/api: zone.enable " + enable);
        }

        @Override
        public String systemVersion() {
            up("one.system.version");
            return z.version;
        }

        @Override
        public List<OneHost> hostPool() {
            up("one.hostpool.info");
            return z.hostStates.entrySet().stream().map(e -> new OneHost(e.getKey(), hostNamePrefix + e.getKey(), e.getValue(), "default")).toList();
        }

        @Override
        public void hostStatus(int hostId, OneHost.Status status) {
            up("one.host.status");
            if (!z.enabled) {
                throw new IllegalStateException("Cannot process request, zone disabled");
            }
            z.hostStates.put(hostId, status == OneHost.Status.ENABLED ? 2 : 4);
            started.add(z.config.name() + "/api: host.status " + hostId + " " + status);
        }

        @Override
        public List<OneVm> vmPool() {
            up("one.vmpool.info");
            return z.vms;
        }
    }

    // ------------------------------------------------------------------ RemoteShell (read-only probes)
    @Override
    public CommandResult run(SshTarget target, RemoteCommand command) {
        String c = command.rendered();
        String out = "";
        if (c.startsWith("systemctl list-units")) {
            Zone z = zones.get(target.zoneId());
            out = z.running || unitsStuck ? "opennebula.service loaded active running OpenNebula Cloud Controller Daemon\n" : "";
        } else if (c.startsWith("if test -e") && c.contains("packages-before-upgrade")) {
            // RollbackScope: what the upgrade's runs left on this zone (backup-config writes the package record)
            String zone = target.zoneName() + "/";
            synchronized (started) {
                out = started.stream().anyMatch(x -> x.startsWith(zone) && x.contains("packages-before-upgrade")
                        && !x.contains("apt-get") && !x.contains("dnf ")) ? "CHANGED\n"
                        : started.stream().anyMatch(x -> x.startsWith(zone) && x.contains("systemctl stop")
                                && x.contains("stopped-units")) ? "STOPPED\n" : "NONE\n";
            }
        } else if (c.startsWith("sha256sum")) {
            out = "ab12cd34  " + c.substring("sha256sum ".length()) + "\n";
        } else if (c.startsWith("onedb version -v")) {
            // onedb.rb OneDB#version; the DB schema of a release is its series with patch 0
            String[] v = zones.get(target.zoneId()).installed.split("\\.");
            String series = v[0] + "." + v[1] + ".0";
            String required = requiredShared.getOrDefault(zones.get(target.zoneId()).installed, series);
            out = "Shared tables version:   " + series + "\nRequired version:        " + required + "\n";
        } else if (c.contains("df -Pk")) {
            out = "52428800\n";
        } else if (c.contains("apt-cache $o madison")) {
            // the preflight's repository query: the target repository offers TARGET (and an older patch)
            out = "--- keyring present\n--- offered\n opennebula | " + TARGET + "-1 | https://downloads.opennebula.io/repo x\n"
                    + " opennebula-migration | " + TARGET + "-1 | https://downloads.opennebula.io/repo x\n"
                    + " opennebula-migration-community | " + TARGET + "-1 | https://downloads.opennebula.io/repo x\n"
                    + " opennebula | 6.99.0-1 | https://downloads.opennebula.io/repo x\n"
                    // the previous series' repository still offers the running version (the rollback's check)
                    + (previousWithdrawn ? "" : " opennebula | " + zones.get(target.zoneId()).before
                            + "-1 | https://downloads.opennebula.io/repo x\n")
                    + "--- installed\nopennebula install ok installed\n";
        } else if (c.contains("--showduplicates list available")) {
            out = "--- offered\nAvailable Packages\nopennebula.x86_64   " + TARGET + "-1.el9   onefed-target\n"
                    + "opennebula-migration.x86_64   " + TARGET + "-1.el9   onefed-target\n"
                    + "opennebula-migration-community.x86_64   " + TARGET + "-1.el9   onefed-target\n"
                    + "opennebula.x86_64   " + zones.get(target.zoneId()).before + "-1.el9   onefed-target\n--- installed\nopennebula installed\n";
        }
        return new CommandResult(0, out, "", false, "sha", Duration.ZERO);
    }

    @Override
    public ProbeResult probe(SshTarget target) {
        return new ProbeResult(true, "SHA256:fake", null);
    }

    // ------------------------------------------------------------------ DetachedRuns
    @Override
    public synchronized RunStatus start(SshTarget target, String key, RemoteCommand command) {
        if (sshDown.contains(target.serverName())) {
            throw new io.onefed.upgrade.ssh.SshException("cannot reach " + target.address()
                    + ": ConnectException Connection refused");
        }
        RunStatus existing = runs.get(key);
        if (existing != null) {
            return new RunStatus(key, existing.state(), existing.exitStatus(), existing.stdout(), existing.stderr(),
                    false, "sha", existing.started(), existing.finished(), true);
        }
        String c = command.rendered();
        started.add(target.zoneName() + "/" + target.serverName() + ": " + c);
        Instant now = Instant.now();
        if (hanging.stream().anyMatch(c::contains)) {
            RunStatus s = new RunStatus(key, RunStatus.State.RUNNING, null, "", "", false, null, now, null, false);
            runs.put(key, s);
            return s;
        }
        for (Map.Entry<String, java.util.function.Predicate<SshTarget>> f : failOn.entrySet()) {
            if (c.contains(f.getKey()) && f.getValue().test(target)) {
                RunStatus s = new RunStatus(key, RunStatus.State.FINISHED, 1, "", "E: simulated failure of " + f.getKey(),
                        false, "sha", now, now, false);
                runs.put(key, s);
                return s;
            }
        }
        for (Map.Entry<String, Integer> f : failures.entrySet()) {
            if (c.contains(f.getKey()) && f.getValue() > 0) {
                failures.put(f.getKey(), f.getValue() - 1);
                RunStatus s = new RunStatus(key, RunStatus.State.FINISHED, 1, "", "E: simulated failure of " + f.getKey(),
                        false, "sha", now, now, false);
                runs.put(key, s);
                return s;
            }
        }
        apply(zones.get(target.zoneId()), c);
        RunStatus s = new RunStatus(key, RunStatus.State.FINISHED, 0, "ok", "", false, "sha", now, now, false);
        runs.put(key, s);
        return s;
    }

    private void apply(Zone z, String c) {
        if (c.contains("systemctl stop")) {
            z.running = false;
        } else if (c.contains("packages-before-upgrade") && (c.contains("apt-get install") || c.contains("dnf -y install"))) {
            z.installed = z.before;
        } else if (c.contains("apt-get install") || c.contains("dnf -y upgrade") || c.contains("dnf -y install")) {
            z.installed = TARGET;
        } else if (c.contains("systemctl start opennebula")) {
            z.version = z.installed;
            z.running = !apiStaysDown.contains(z.config.id());
        }
    }

    static String TARGET = "7.0.0";

    @Override
    public RunStatus await(SshTarget target, String key, Duration maxWait) {
        RunStatus s = runs.get(key);
        if (s == null) {
            // as the real protocol: no key directory (never started, or wiped on the host)
            throw new io.onefed.upgrade.ssh.SshException.NoSuchRun("no run with key " + key + " on " + target.address());
        }
        return new RunStatus(key, s.state(), s.exitStatus(), s.stdout(), s.stderr(), false, "sha", s.started(),
                s.finished(), false);
    }

    void finishHanging(String fragment) {
        hanging.remove(fragment);
        runs.replaceAll((k, s) -> s.isFinished() ? s : new RunStatus(k, RunStatus.State.FINISHED, 0, "done", "", false,
                "sha", s.started(), Instant.now(), false));
    }

    // ------------------------------------------------------------------ FileTransfer
    @Override
    public TransferResult copy(SshTarget from, String fromPath, SshTarget to, String toPath) {
        started.add(to.zoneName() + "/" + to.serverName() + ": copy " + fromPath + " -> " + toPath);
        return new TransferResult(toPath, 1024, "ab12cd34");
    }

    /** Pieces each copy takes (the copy tasks' loop); 1: one piece, as {@link FileTransfer}'s default. */
    volatile int copyPieces = 1;
    /** The piece (its offset) whose job dies once after writing, before it commits; -1: none. */
    volatile int crashAtPiece = -1;

    @Override
    public Piece copyPiece(SshTarget from, String fromPath, SshTarget to, String toPath, Resume resume,
            Duration maxTime, long maxBytes) {
        if (copyPieces <= 1) {
            return FileTransfer.super.copyPiece(from, fromPath, to, toPath, resume, maxTime, maxBytes);
        }
        long at = resume == null ? 0 : resume.offset();
        started.add(to.zoneName() + "/" + to.serverName() + ": piece " + at + " of " + toPath);
        if (at == crashAtPiece) {
            crashAtPiece = -1;
            throw new io.onefed.upgrade.ssh.SshException("connection to " + to.address() + " lost mid-piece");
        }
        return at + 1 < copyPieces ? new Piece(null, new Resume(toPath + ".part-1", at + 1))
                : Piece.finished(copy(from, fromPath, to, toPath));
    }
}
