package io.onefed.upgrade.simulator;

import io.onefed.upgrade.federation.DatabaseProperties;
import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.NodeProperties;
import io.onefed.upgrade.federation.OsFamily;
import io.onefed.upgrade.federation.SecretRef;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.SshProperties;
import io.onefed.upgrade.federation.ZonePaths;
import io.onefed.upgrade.federation.ZoneProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.threads.CloseableExecutorService;
import org.apache.sshd.common.util.threads.ThreadUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated OpenNebula federation on 127.0.0.1: per zone front-end servers with a real SSH server (commands run
 * in a real {@code /bin/sh} with simulated OpenNebula commands first on PATH) and, while oned's unit is active,
 * oned's XML-RPC API. All state lives in plain files under {@link #root()}, so a restart continues where it
 * stopped. Close it to stop every listener (detached processes started over SSH are the caller's).
 *
 * <p>Layout of a front-end server directory ({@link #serverDir}): {@code etc/one/oned.conf},
 * {@code etc/apt/sources.list.d/opennebula.list} (or {@code etc/yum.repos.d/opennebula.repo}),
 * {@code var/lib/one}, {@code var/lock/one/one} (while oned runs), {@code commands.log} (one line per simulated
 * command: UTC timestamp, command, arguments) and {@code sim/} (installed version, unit states, the database).
 *
 * <p>Repository rule: the repository file names a series in its URL ({@code .../repo/7.0/...}); the zone's
 * repository offers the versions {@link SimulationSpec.ZoneSpec#offered()} lists for that series (several
 * patches: the newest is installed unless a version is asked for) and the installed version for the installed
 * series. Any other series is "not found" (apt-get update exit 100, dnf exit 1).
 */
public final class SimulatedFederation implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SimulatedFederation.class);

    /** Scripts copied from {@code simulator/bin/} on the classpath. */
    static final List<String> SCRIPTS = List.of("sim-lib.sh", "pkg-lib.sh", "one-lib.sh", "systemctl", "onedb",
            "apt-get", "apt", "dpkg-query", "dpkg", "dnf", "yum", "rpm", "onecfg", "onehost", "onevm", "onezone",
            "apt-cache", "wget", "gpg", "chown", "runuser", "su");

    /** Front-end packages installed on every simulated server (the set the orchestrator upgrades). */
    static final List<String> PACKAGES = List.of("opennebula", "opennebula-common", "opennebula-common-onecfg",
            "opennebula-tools", "opennebula-libs", "opennebula-rubygems", "opennebula-flow", "opennebula-gate",
            "opennebula-fireedge", "opennebula-guacd");

    private final SimulationSpec spec;
    private final Path root;
    private final Path binDir;
    private final Map<Integer, SimZone> zones = new LinkedHashMap<>();
    private final ExecutorService pumps;
    private final ScheduledExecutorService scheduler;
    private final CloseableExecutorService nioPool;
    private final KeyPair clientKey;
    /** The lines of a simulated host's commands.log whose command (second field) is {@code command}. */
    private static List<String> commandLines(Path log, String command) {
        try {
            return Files.readAllLines(log).stream().filter(l -> {
                String[] p = l.split(" ", 3);
                return p.length >= 2 && p[1].equals(command);
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key the hypervisor hosts accept (federation.zones[].nodes.private-key), not the front-ends' key. */
    private final KeyPair nodeClientKey;
    private final Faults faults = new Faults(this);
    private volatile boolean closed;

    private SimulatedFederation(SimulationSpec spec, Path root) {
        this.spec = spec;
        this.root = root.toAbsolutePath().normalize();
        this.binDir = this.root.resolve("bin");
        this.pumps = Executors.newCachedThreadPool(daemon("sim-io"));
        this.scheduler = Executors.newScheduledThreadPool(2, daemon("sim-timer"));
        this.nioPool = ThreadUtils.newCachedThreadPool("sim-ssh-nio");
        this.clientKey = SimKeys.loadOrCreate(this.root.resolve("keys/orchestrator_ecdsa"), "one-fed-upgrade@orchestrator");
        this.nodeClientKey = SimKeys.loadOrCreate(this.root.resolve("keys/nodes_ecdsa"), "one-fed-upgrade@nodes");
    }

    /**
     * The guide's federation, configured like a real one: 0 M-EU-FR (master), 100 S-EU-GE, 101 S-US-CA run the CE
     * maintenance release 6.10.0.1 ({@code code_version()} on OpenNebula/one one-6.10, include/NebulaService.h),
     * their oned.conf carries the FEDERATION section (changed conffile), and the 7.0 repository serves two patches,
     * 7.0.0 and 7.0.1 (one-7.0's code_version() history), so a series install would take 7.0.1. S-US-CA was set
     * up with the older apt key instructions (no /etc/apt/keyrings/opennebula.gpg).
     */
    public static SimulationSpec guideSpec() {
        return new SimulationSpec("guide-federation", randomToken(), randomToken(), 715438L, List.of(
                SimulationSpec.ZoneSpec.single(0, "M-EU-FR", true, "6.10.0.1", "7.0.0,7.0.1"),
                SimulationSpec.ZoneSpec.single(100, "S-EU-GE", false, "6.10.0.1", "7.0.0,7.0.1"),
                SimulationSpec.ZoneSpec.single(101, "S-US-CA", false, "6.10.0.1", "7.0.0,7.0.1").withLegacyAptKey(true)));
    }

    /** Starts the guide's federation under {@code root} (reusing the state found there). */
    public static SimulatedFederation guide(Path root) {
        return start(guideSpec(), root);
    }

    /**
     * Starts the simulation under {@code root}. State already there (from an earlier run) is kept: versions,
     * units, databases, keys and, when still free, ports; the passwords of that run are kept too.
     */
    public static SimulatedFederation start(SimulationSpec spec, Path root) {
        SimulatedFederation f = new SimulatedFederation(spec, root);
        try {
            f.init();
            return f;
        } catch (IOException | RuntimeException e) {
            f.close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot start the simulated federation under " + root, io);
            }
            throw (RuntimeException) e;
        }
    }

    private void init() throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(root.resolve("sim"));
        installScripts();
        SimFiles.writeText(root.resolve("sim/release-units"), SimUnits.table());
        // read by code_shared_db_version (sim-lib.sh): "release shared" per line
        SimFiles.writeText(root.resolve("sim/code-shared-db-versions"), spec.codeSharedDbVersions().entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue() + "\n").sorted().collect(java.util.stream.Collectors.joining()));
        Path auth = credentialsFile();
        if (!Files.exists(auth)) {
            writeSecret(auth, "oneadmin:" + spec.oneadminPassword());
            writeSecret(dbPasswordFile(), spec.dbPassword());
        }
        Files.writeString(root.resolve("keys/authorized_keys"), SimKeys.publicKeyLine(clientKey) + "\n");
        if (!Files.exists(root.resolve("sim/fed_index"))) {
            SimFiles.write(root.resolve("sim/fed_index"), Long.toString(spec.fedIndex()));
        }
        for (SimulationSpec.ZoneSpec zs : spec.zones()) {
            SimZone zone = new SimZone(zs, root.resolve("zones/" + zs.id()));
            for (int i = 0; i < zs.servers(); i++) {
                String name = zs.name().toLowerCase(Locale.ROOT) + "-" + (i + 1);
                Path dir = zone.dir().resolve("servers/" + name);
                if (!Files.exists(dir.resolve("sim/installed_version"))) {
                    initServer(zs, i, dir);
                } else if (!Files.exists(dir.resolve("var/lib/one/.one/one_auth"))) {
                    writeOneadminAuth(dir); // state of a run before oneadmin had its own home
                }
                String[] ports = SimFiles.read(dir.resolve("sim/ports"), "0 0").split(" ");
                KeyPair hostKey = SimKeys.loadOrCreate(root.resolve("keys/hosts/" + zs.id() + "-" + name), name);
                KeyPair changed = SimKeys.loadOrCreate(root.resolve("keys/hosts/" + zs.id() + "-" + name + "-changed"), name);
                SimServer server = new SimServer(this, zone, name, i, dir, hostKey, changed, pumps, scheduler, nioPool,
                        Integer.parseInt(ports[0]), Integer.parseInt(ports[1]));
                zone.servers.add(server);
                SimFiles.delete(dir.resolve("sim/api_up"));
                SimFiles.delete(dir.resolve("sim/unreachable"));
            }
            for (SimulationSpec.HostSpec h : zs.hosts()) {
                if (!h.ssh()) {
                    continue;
                }
                Path dir = zone.dir().resolve("nodes/" + h.name());
                if (!Files.exists(dir.resolve("sim/installed_version"))) {
                    initNode(zs, dir);
                }
                int port = Integer.parseInt(SimFiles.read(dir.resolve("sim/ports"), "0 0").split(" ")[0]);
                KeyPair hostKey = SimKeys.loadOrCreate(root.resolve("keys/nodes/" + zs.id() + "-" + h.name()), h.name());
                SimServer node = new SimServer(this, zone, h.name(), h.id(), dir, hostKey, hostKey, pumps, scheduler,
                        nioPool, port, 0);
                node.asNode(zone.nodePrefix());
                zone.nodes.add(node);
            }
            zones.put(zs.id(), zone);
        }
        for (SimZone zone : zones.values()) {
            for (SimServer s : zone.servers) {
                startSshPreferringPort(s);
            }
            for (SimServer n : zone.nodes) {
                startSshPreferringPort(n);
                SimFiles.write(n.state().resolve("ports"), n.sshPort() + " 0");
            }
        }
        // API ports are held open together (after the SSH servers bound theirs) so no two listeners get the same
        // port; each API binds its port whenever its oned runs
        List<java.net.ServerSocket> held = new ArrayList<>();
        try {
            for (SimZone zone : zones.values()) {
                for (SimServer s : zone.servers) {
                    java.net.ServerSocket socket = SimServer.reservePort(s.apiPort());
                    held.add(socket);
                    s.assignApiPort(socket.getLocalPort());
                    SimFiles.write(s.state().resolve("ports"), s.sshPort() + " " + s.apiPort());
                    SimFiles.write(s.state().resolve("api_port"), Integer.toString(s.apiPort()));
                }
            }
        } finally {
            for (java.net.ServerSocket socket : held) {
                socket.close();
            }
        }
        writeRegistry();
        writeKnownHosts();
        for (SimZone zone : zones.values()) {
            for (SimServer s : zone.servers) {
                s.reconcileApi();
            }
        }
        scheduler.scheduleWithFixedDelay(this::reconcileAll, 20, 20, TimeUnit.MILLISECONDS);
        log.info("simulated federation '{}' with {} zones started under {} in {} ms", spec.name(), zones.size(), root,
                (System.nanoTime() - t0) / 1_000_000);
    }

    private void startSshPreferringPort(SimServer s) throws IOException {
        try {
            s.startSsh();
        } catch (IOException e) {
            if (s.sshPort() == 0) {
                throw e;
            }
            // the port of the earlier run is taken now: take another one
            s.resetSshPort();
            s.startSsh();
        }
    }

    private void reconcileAll() {
        if (closed) {
            return;
        }
        for (SimZone zone : zones.values()) {
            for (SimServer s : zone.servers) {
                try {
                    s.reconcileApi();
                } catch (RuntimeException e) {
                    log.warn("simulated {}: API state not followed: {}", s.label(), e.toString());
                }
            }
        }
    }

    private void installScripts() throws IOException {
        Files.createDirectories(binDir);
        for (String name : SCRIPTS) {
            try (InputStream in = SimulatedFederation.class.getResourceAsStream("/simulator/bin/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("simulator script simulator/bin/" + name + " is missing from the classpath");
                }
                Path target = binDir.resolve(name);
                Path tmp = binDir.resolve(name + ".new");
                Files.write(tmp, in.readAllBytes());
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    private void initServer(SimulationSpec.ZoneSpec zs, int index, Path dir) throws IOException {
        Path st = dir.resolve("sim");
        String version = zs.installed();
        String series = series(version);
        String dbVersion = series + ".0";
        Files.createDirectories(dir.resolve("etc/one"));
        Files.createDirectories(dir.resolve("var/lib/one/remotes/etc/vmm/kvm"));
        Files.createDirectories(dir.resolve("var/lock/one"));
        Files.createDirectories(dir.resolve("var/log/one"));
        Files.createDirectories(st.resolve("units"));
        Files.createDirectories(st.resolve("faults/fail"));
        Files.createDirectories(st.resolve("faults/hang"));
        Files.writeString(dir.resolve("var/lib/one/remotes/etc/vmm/kvm/kvmrc"), "export LIBVIRT_URI=qemu:///system\n");
        Files.writeString(dir.resolve("var/lib/one/one.db"), "");
        SimulationSpec.ZoneSpec master = spec.zones().stream().filter(SimulationSpec.ZoneSpec::master).findFirst().orElseThrow();
        Files.writeString(dir.resolve("etc/one/oned.conf"), onedConf(zs, index, master));
        writeRepository(zs, dir, series);
        writeSecret(dir.resolve(".one/one_auth"), "oneadmin:" + SimFiles.read(credentialsFile(), "").split(":", 2)[1]);
        writeOneadminAuth(dir);
        SimFiles.write(st.resolve("installed_version"), version);
        SimFiles.write(st.resolve("running_version"), version);
        SimFiles.write(st.resolve("config_version"), version);
        SimFiles.writeText(st.resolve("packages"), String.join("\n", PACKAGES) + "\n");
        StringBuilder catalogue = new StringBuilder(series + " " + version + "\n");
        zs.offeredVersions().forEach(v -> catalogue.append(series(v)).append(' ').append(v).append('\n'));
        SimFiles.writeText(st.resolve("catalogue"), catalogue.toString());
        SimFiles.writeText(st.resolve("extra_units"), zs.extraUnits().isEmpty() ? "" : String.join("\n", zs.extraUnits()) + "\n");
        // the oneshot services behind the timers are installed but not running
        List<String> units = new ArrayList<>(SimUnits.of(version).stream()
                .filter(u -> !SimUnits.ONESHOTS.contains(u)).toList());
        units.addAll(zs.extraUnits());
        for (String u : units) {
            SimFiles.write(st.resolve("units/" + u), "active");
        }
        Files.writeString(dir.resolve("var/lock/one/one"), "1\n");
        Path db = st.resolve("db");
        SimFiles.write(db.resolve("shared_version"), dbVersion);
        SimFiles.write(db.resolve("local_version"), dbVersion);
        SimFiles.write(db.resolve("is_slave"), zs.master() ? "0" : "1");
        SimFiles.write(db.resolve("zone_state"), "0");
        SimFiles.write(db.resolve("log_index"), "0");
        StringBuilder fed = new StringBuilder();
        for (SimulationSpec.ZoneSpec z : spec.zones()) {
            fed.append("INSERT INTO zone_pool VALUES(").append(z.id()).append(",'").append(z.name()).append("');\n");
        }
        fed.append("INSERT INTO user_pool VALUES(0,'oneadmin');\nINSERT INTO group_pool VALUES(0,'oneadmin');\n");
        SimFiles.writeText(db.resolve("fed_tables"), fed.toString());
        Files.createDirectories(db.resolve("hosts"));
        Files.createDirectories(db.resolve("vms"));
        for (SimulationSpec.HostSpec h : zs.hosts()) {
            SimFiles.write(db.resolve("hosts/" + h.id()), h.name() + " " + h.state() + " 0 default");
        }
        for (SimulationSpec.VmSpec v : zs.vms()) {
            SimFiles.write(db.resolve("vms/" + v.id()), v.name() + " " + v.state() + " " + v.lcmState() + " " + v.hostId());
        }
        SimFiles.touch(dir.resolve("commands.log"));
    }

    /** oneadmin's own ~/.one/one_auth (its home is /var/lib/one), read by the CLI after runuser/su. */
    private void writeOneadminAuth(Path dir) throws IOException {
        writeSecret(dir.resolve("var/lib/one/.one/one_auth"), "oneadmin:" + SimFiles.read(credentialsFile(), "").split(":", 2)[1]);
    }

    /**
     * A hypervisor host: the zone's installed release as its node packages (opennebula-node-kvm), the same
     * repository and catalogue as the front-ends, and a running libvirtd (the guide restarts it after the upgrade).
     */
    private void initNode(SimulationSpec.ZoneSpec zs, Path dir) throws IOException {
        Path st = dir.resolve("sim");
        String version = zs.installed();
        Files.createDirectories(dir.resolve("var/lib/one"));
        Files.createDirectories(st.resolve("units"));
        Files.createDirectories(st.resolve("faults/fail"));
        Files.createDirectories(st.resolve("faults/hang"));
        writeRepository(zs, dir, series(version));
        SimFiles.write(st.resolve("installed_version"), version);
        SimFiles.writeText(st.resolve("packages"), "opennebula-node-kvm\n");
        // the zone's repository: the same patches as the front-ends' catalogue
        StringBuilder catalogue = new StringBuilder(series(version) + " " + version + "\n");
        zs.offeredVersions().forEach(v -> catalogue.append(series(v)).append(' ').append(v).append('\n'));
        SimFiles.writeText(st.resolve("catalogue"), catalogue.toString());
        SimFiles.writeText(st.resolve("extra_units"), "libvirtd\n");
        SimFiles.write(st.resolve("units/libvirtd"), "active");
        SimFiles.touch(dir.resolve("commands.log"));
    }

    private String onedConf(SimulationSpec.ZoneSpec zs, int index, SimulationSpec.ZoneSpec master) {
        String backend = zs.dbBackend();
        StringBuilder b = new StringBuilder("# oned.conf of simulated zone ").append(zs.id()).append(" (")
                .append(zs.name()).append(")\n\nLOG = [\n    SYSTEM      = \"file\",\n    DEBUG_LEVEL = 3\n]\n\n")
                .append("MONITORING_INTERVAL_HOST = 180\n\nPORT = 2633\n\nLISTEN_ADDRESS = \"0.0.0.0\"\n\n");
        if (backend.equals("mysql")) {
            b.append("DB = [\n    BACKEND = \"mysql\",\n    SERVER  = \"localhost\",\n    PORT    = 0,\n")
                    .append("    USER    = \"oneadmin\",\n    PASSWD  = \"").append(SimFiles.read(dbPasswordFile(), ""))
                    .append("\",\n    DB_NAME = \"opennebula\",\n    CONNECTIONS = 25,\n    COMPARE_BINARY = \"no\"\n]\n\n");
        } else {
            b.append("DB = [\n    BACKEND = \"sqlite\",\n    TIMEOUT = 2500\n]\n\n");
        }
        b.append("FEDERATION = [\n    MODE          = \"").append(zs.master() ? "MASTER" : "SLAVE")
                .append("\",\n    ZONE_ID       = ").append(zs.id())
                .append(",\n    SERVER_ID     = ").append(zs.ha() ? index : -1)
                .append(",\n    MASTER_ONED   = \"").append(master.master() && !zs.master() ? "master" : "")
                .append("\"\n]\n\nRAFT = [\n    LIMIT_PURGE          = 100000,\n    LOG_RETENTION        = 250000,\n")
                .append("    LOG_PURGE_TIMEOUT    = 60,\n    ELECTION_TIMEOUT_MS  = 5000,\n    BROADCAST_TIMEOUT_MS = 500,\n")
                .append("    XMLRPC_TIMEOUT_MS    = 1000\n]\n");
        return b.toString();
    }

    private static void writeRepository(SimulationSpec.ZoneSpec zs, Path dir, String series) throws IOException {
        switch (zs.osFamily()) {
            case DEBIAN, UBUNTU -> {
                String distro = zs.osFamily() == OsFamily.DEBIAN ? "Debian/12" : "Ubuntu/22.04";
                Path f = dir.resolve("etc/apt/sources.list.d/opennebula.list");
                Files.createDirectories(f.getParent());
                if (zs.legacyAptKey()) {
                    // older instructions: "wget -q -O- .../repo/repo.key | apt-key add -" and a line without signed-by
                    Files.createDirectories(dir.resolve("etc/apt"));
                    Files.writeString(dir.resolve("etc/apt/trusted.gpg"), "SIMULATED-KEYRING OpenNebula repo.key (apt-key)\n");
                    Files.writeString(f, "deb https://downloads.opennebula.io/repo/" + series + "/" + distro
                            + " stable opennebula\n");
                } else {
                    Files.createDirectories(dir.resolve("etc/apt/keyrings"));
                    Files.writeString(dir.resolve("etc/apt/keyrings/opennebula.gpg"),
                            "SIMULATED-KEYRING simulated OpenNebula repository key (repo2.key)\n");
                    Files.writeString(f, "deb [signed-by=/etc/apt/keyrings/opennebula.gpg] https://downloads.opennebula.io/repo/"
                            + series + "/" + distro + " stable opennebula\n");
                }
            }
            case RHEL, ALMALINUX -> {
                String distro = zs.osFamily() == OsFamily.RHEL ? "RedHat" : "AlmaLinux";
                Path f = dir.resolve("etc/yum.repos.d/opennebula.repo");
                Files.createDirectories(f.getParent());
                Files.writeString(f, "[opennebula]\nname=OpenNebula " + series + "\nbaseurl=https://downloads.opennebula.io/repo/"
                        + series + "/" + distro + "/$releasever/$basearch\nenabled=1\n"
                        + "gpgkey=https://downloads.opennebula.io/repo/repo2.key\ngpgcheck=1\nrepo_gpgcheck=1\n");
            }
        }
    }

    private void writeRegistry() {
        StringBuilder b = new StringBuilder();
        for (SimZone z : zones.values()) {
            b.append(z.id()).append(' ').append(z.name()).append(' ').append(z.endpoint()).append(' ')
                    .append(z.leader().dir()).append(' ').append(z.dir()).append('\n');
        }
        SimFiles.writeText(root.resolve("sim/zones"), b.toString());
    }

    void writeKnownHosts() {
        StringBuilder b = new StringBuilder();
        for (SimZone z : zones.values()) {
            for (SimServer s : z.servers) {
                b.append("[127.0.0.1]:").append(s.sshPort()).append(' ')
                        .append(SimKeys.publicKeyLine(new KeyPair(s.hostPublicKey(), null))).append('\n');
            }
            for (SimServer n : z.nodes) {
                b.append("[127.0.0.1]:").append(n.sshPort()).append(' ')
                        .append(SimKeys.publicKeyLine(new KeyPair(n.hostPublicKey(), null))).append('\n');
            }
        }
        SimFiles.writeText(knownHosts(), b.toString());
    }

    private static void writeSecret(Path file, String value) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
    }

    private static String series(String version) {
        String[] p = version.split("\\.");
        return p[0] + "." + p[1];
    }

    private static String randomToken() {
        SecureRandom r = new SecureRandom();
        StringBuilder b = new StringBuilder();
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        for (int i = 0; i < 20; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // --- used by the servers -----------------------------------------------------------------------------------

    boolean isAuthorized(PublicKey key) {
        try {
            for (String line : Files.readAllLines(root.resolve("keys/authorized_keys"))) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                PublicKey allowed = org.apache.sshd.common.config.keys.AuthorizedKeyEntry.parseAuthorizedKeyEntry(line)
                        .resolvePublicKey(null, null, null);
                if (KeyUtils.compareKeys(key, allowed)) {
                    return true;
                }
            }
            return false;
        } catch (IOException | java.security.GeneralSecurityException e) {
            log.warn("simulated federation: authorized_keys unreadable: {}", e.toString());
            return false;
        }
    }

    boolean isAuthorizedNode(PublicKey key) {
        return KeyUtils.compareKeys(key, nodeClientKey.getPublic());
    }

    boolean isClosed() {
        return closed;
    }

    boolean sessionValid(String session) {
        return SimFiles.read(credentialsFile(), "").equals(session);
    }

    Collection<SimZone> zonesInternal() {
        return zones.values();
    }

    SimZone zoneOrNull(int id) {
        return zones.get(id);
    }

    SimZone zoneInternal(int id) {
        SimZone z = zones.get(id);
        if (z == null) {
            throw new IllegalArgumentException("the simulated federation has no zone " + id + "; zones: " + zones.keySet());
        }
        return z;
    }

    SimZone masterZone() {
        return zones.values().stream().filter(z -> z.spec().master()).findFirst().orElseThrow();
    }

    synchronized long fedIndexOf(SimZone zone) {
        return fedIndex() - zone.fedLag();
    }

    /** A zone's state changes the zone pool, a federated table: one more federated log record. */
    synchronized void setZoneState(SimZone zone, int state) {
        for (SimServer s : zone.servers) {
            SimFiles.write(s.state().resolve("db/zone_state"), Integer.toString(state));
        }
        SimFiles.write(root.resolve("sim/fed_index"), Long.toString(fedIndex() + 1));
    }

    synchronized void setHostState(SimZone zone, int hostId, int state) {
        for (SimServer s : zone.servers) {
            Path f = s.state().resolve("db/hosts/" + hostId);
            String[] p = SimFiles.read(f, "").split("\\s+");
            if (p.length >= 4) {
                SimFiles.write(f, p[0] + " " + state + " " + p[2] + " " + p[3]);
            }
        }
    }

    // --- public API ----------------------------------------------------------------------------------------------

    public SimulationSpec spec() {
        return spec;
    }

    public Path root() {
        return root;
    }

    public Path binDir() {
        return binDir;
    }

    /** known_hosts with every simulated server's host key ({@code [127.0.0.1]:port ecdsa-sha2-nistp256 ...}). */
    public Path knownHosts() {
        return root.resolve("keys/known_hosts");
    }

    /** The orchestrator's private key (OpenSSH format, no passphrase), authorized on every server. */
    public Path clientPrivateKey() {
        return root.resolve("keys/orchestrator_ecdsa");
    }

    /** oneadmin's {@code user:password} (mode 600), for {@code federation.credentials.file}. */
    public Path credentialsFile() {
        return root.resolve("secrets/one_auth");
    }

    /** The MySQL password of the zones' DB user (mode 600), for {@code database.password.file}. */
    public Path dbPasswordFile() {
        return root.resolve("secrets/db_password");
    }

    public Faults faults() {
        return faults;
    }

    public List<Integer> zoneIds() {
        return List.copyOf(zones.keySet());
    }

    public String endpoint(int zone) {
        return zoneInternal(zone).endpoint();
    }

    public String endpoint(int zone, String server) {
        return zoneInternal(zone).server(server).endpoint();
    }

    public List<String> serverNames(int zone) {
        return zoneInternal(zone).servers.stream().map(SimServer::name).toList();
    }

    public int sshPort(int zone) {
        return zoneInternal(zone).leader().sshPort();
    }

    public int sshPort(int zone, String server) {
        return zoneInternal(zone).server(server).sshPort();
    }

    /** The leader's directory (the zone's only server when it is not HA). */
    public Path serverDir(int zone) {
        return zoneInternal(zone).leader().dir();
    }

    public Path serverDir(int zone, String server) {
        return zoneInternal(zone).server(server).dir();
    }

    /** Lines of the leader's command log naming {@code command} (e.g. "onedb"), oldest first. */
    public List<String> commandLog(int zone, String command) {
        return commandLog(zone, zoneInternal(zone).leader().name(), command);
    }

    public List<String> commandLog(int zone, String server, String command) {
        return commandLines(serverDir(zone, server).resolve("commands.log"), command);
    }

    /** The key the hypervisor hosts accept (OpenSSH format, no passphrase), for {@code nodes.private-key}. */
    public Path nodePrivateKey() {
        return root.resolve("keys/nodes_ecdsa");
    }

    /** Connections the zone's front-ends forwarded for SSH clients (jump host to the hypervisor hosts). */
    public int forwardedConnections(int zone) {
        return zoneInternal(zone).servers.stream().mapToInt(s -> s.forwarded.get()).sum();
    }

    /** The names of the zone's hypervisor hosts that have an SSH server. */
    public List<String> nodeNames(int zone) {
        return zoneInternal(zone).nodes.stream().map(SimServer::name).toList();
    }

    public Path nodeDir(int zone, String host) {
        return zoneInternal(zone).node(host).dir();
    }

    public int nodeSshPort(int zone, String host) {
        return zoneInternal(zone).node(host).sshPort();
    }

    /** The node packages' version on a hypervisor host. */
    public String nodeInstalledVersion(int zone, String host) {
        // a package moved on its own has its version under pkgver/ (pkg-lib.sh install_version)
        java.nio.file.Path st = zoneInternal(zone).node(host).state();
        return SimFiles.read(st.resolve("pkgver/opennebula-node-kvm"), SimFiles.read(st.resolve("installed_version"), ""));
    }

    /** Lines of a hypervisor host's command log naming {@code command}, oldest first. */
    public List<String> nodeCommandLog(int zone, String host, String command) {
        return commandLines(nodeDir(zone, host).resolve("commands.log"), command);
    }

    public String installedVersion(int zone) {
        return SimFiles.read(zoneInternal(zone).leader().state().resolve("installed_version"), "");
    }

    public boolean unitActive(int zone, String unit) {
        return "active".equals(SimFiles.read(zoneInternal(zone).leader().state().resolve("units/" + unit), "inactive"));
    }

    /** OWNER:GROUP the simulated chown last gave {@code path} (relative to the server's directory), or null. */
    public String owner(int zone, String server, String path) {
        Path dir = serverDir(zone, server);
        String abs = dir.resolve(path).normalize().toString();
        String owner = null;
        try {
            Path f = dir.resolve("sim/owners");
            if (Files.exists(f)) {
                for (String line : Files.readAllLines(f)) {
                    int sp = line.indexOf(' ');
                    if (sp > 0 && java.nio.file.Path.of(line.substring(sp + 1)).normalize().toString().equals(abs)) {
                        owner = line.substring(0, sp);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return owner;
    }

    public String dbSharedVersion(int zone) {
        return SimFiles.read(zoneInternal(zone).leader().state().resolve("db/shared_version"), "");
    }

    public String dbLocalVersion(int zone) {
        return SimFiles.read(zoneInternal(zone).leader().state().resolve("db/local_version"), "");
    }

    public boolean zoneDisabled(int zone) {
        return zoneInternal(zone).disabled();
    }

    /** Whether the zone's (leader's) XML-RPC endpoint is listening now. */
    public boolean apiOpen(int zone) {
        return zoneInternal(zone).leader().apiOpen();
    }

    /** The federation's FED_INDEX (the master's federated log). */
    public synchronized long fedIndex() {
        return Long.parseLong(SimFiles.read(root.resolve("sim/fed_index"), "0"));
    }

    /** FED_INDEX as the zone reports it (lagging by the injected lag). */
    public long fedIndex(int zone) {
        return fedIndexOf(zoneInternal(zone));
    }

    /** oneadmin's session string, for tests that call the API directly. */
    public String oneadminSession() {
        return SimFiles.read(credentialsFile(), "");
    }

    /** The federation as the orchestrator's configuration (prefix {@code federation}). */
    public FederationProperties toFederationProperties() {
        List<ZoneProperties> list = new ArrayList<>();
        for (SimZone z : zones.values()) {
            SimulationSpec.ZoneSpec zs = z.spec();
            DatabaseProperties db = zs.dbBackend().equals("mysql")
                    ? new DatabaseProperties("mysql", "localhost", null, "oneadmin", "opennebula",
                            new SecretRef(null, dbPasswordFile().toString()))
                    : new DatabaseProperties("sqlite", null, null, null, null, null);
            List<ServerProperties> servers = z.servers.stream()
                    // each simulated server's XML-RPC port differs from the zone's: the configuration names it
                    .map(s -> new ServerProperties(s.name(), "127.0.0.1", s.sshPort(), "root", s.endpoint())).toList();
            list.add(new ZoneProperties(zs.id(), zs.name(), zs.master() ? "master" : "slave", z.endpoint(), zs.ha(),
                    zs.osFamily().name().toLowerCase(Locale.ROOT), db, zs.extraUnits(), null, paths(z), servers,
                    nodes(z)));
        }
        return new FederationProperties(spec.name(), new SecretRef(null, credentialsFile().toString()),
                new SshProperties(clientPrivateKey().toString(), null, knownHosts().toString(), false, null, null),
                null, list);
    }

    /**
     * The zone's hypervisor hosts as a real configuration reaches them: root with the node key, each host's NAME
     * mapped to its loopback port, and paths under the zone's node prefix, which each host maps to its own
     * directory. Zones whose hosts have no SSH (scale tests) are configured without node upgrades.
     */
    private NodeProperties nodes(SimZone z) {
        if (z.nodes.isEmpty()) {
            return null;
        }
        Map<String, String> addresses = new LinkedHashMap<>();
        z.nodes.forEach(n -> addresses.put(n.name(), "127.0.0.1:" + n.sshPort()));
        String base = z.nodePrefix() + "/";
        String repo = z.spec().osFamily().packageManager() == OsFamily.PackageManager.APT
                ? base + "etc/apt/sources.list.d/opennebula.list" : base + "etc/yum.repos.d/opennebula.repo";
        return new NodeProperties("root", nodePrivateKey().toString(), null, null, null, repo,
                base + "var/lib/one-fed-upgrade/runs", null, addresses);
    }

    /**
     * Where OpenNebula lives on the zone's servers: absolute paths into the server's directory. The servers of an
     * HA zone share this machine, so their configuration names {@code <zone>/host/...}, which each server maps to
     * its own directory in the commands it runs and the SFTP paths it serves (like each real host's /etc/one).
     */
    private static ZonePaths paths(SimZone z) {
        String base = z.hostPrefix().toString() + "/";
        return new ZonePaths(base + "etc/one", base + "var/lib/one", base + "var/lock/one/one",
                base + "var/lib/one-fed-upgrade/runs", base + "var/lib/one-fed-upgrade/backups");
    }

    /** The configuration as flat Spring properties ({@code federation.zones[0].servers[0].port} ...). */
    public Map<String, Object> properties() {
        FederationProperties f = toFederationProperties();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("federation.name", f.name());
        p.put("federation.credentials.file", f.credentials().file());
        p.put("federation.ssh.private-key", f.ssh().privateKey());
        p.put("federation.ssh.known-hosts", f.ssh().knownHosts());
        for (int i = 0; i < f.zones().size(); i++) {
            ZoneProperties z = f.zones().get(i);
            String k = "federation.zones[" + i + "].";
            p.put(k + "id", z.id());
            p.put(k + "name", z.name());
            p.put(k + "role", z.role());
            p.put(k + "endpoint", z.endpoint());
            p.put(k + "ha", z.ha());
            p.put(k + "os-family", z.osFamily());
            p.put(k + "database.backend", z.database().backend());
            if (z.database().host() != null) {
                p.put(k + "database.host", z.database().host());
                p.put(k + "database.user", z.database().user());
                p.put(k + "database.name", z.database().name());
                p.put(k + "database.password.file", z.database().password().file());
            }
            for (int e = 0; e < z.extraServices().size(); e++) {
                p.put(k + "extra-services[" + e + "]", z.extraServices().get(e));
            }
            p.put(k + "paths.etc", z.paths().etc());
            p.put(k + "paths.var", z.paths().var());
            p.put(k + "paths.lock-file", z.paths().lockFile());
            p.put(k + "paths.run-dir", z.paths().runDir());
            p.put(k + "paths.backup-dir", z.paths().backupDir());
            for (int s = 0; s < z.servers().size(); s++) {
                ServerProperties sp = z.servers().get(s);
                String sk = k + "servers[" + s + "].";
                p.put(sk + "name", sp.name());
                p.put(sk + "host", sp.host());
                p.put(sk + "port", sp.port());
                p.put(sk + "user", sp.user());
                if (sp.endpoint() != null) {
                    p.put(sk + "endpoint", sp.endpoint());
                }
            }
            NodeProperties n = z.nodes();
            if (n != null) {
                p.put(k + "nodes.user", n.user());
                p.put(k + "nodes.private-key", n.privateKey());
                p.put(k + "nodes.repository-file", n.repositoryFile());
                p.put(k + "nodes.run-dir", n.runDir());
                p.put(k + "nodes.via", n.via());
                // a map key with dots or dashes needs brackets in Spring's relaxed binding
                n.addresses().forEach((host, address) -> p.put(k + "nodes.addresses[" + host + "]", address));
            }
        }
        return p;
    }

    /** Writes the configuration as the operator's federation YAML (for FEDERATION_CONFIG). */
    public Path writeFederationYaml(Path file) {
        FederationProperties f = toFederationProperties();
        StringBuilder y = new StringBuilder("# Generated by the simulated federation under ").append(root).append('\n')
                .append("federation:\n  name: ").append(q(f.name())).append('\n')
                .append("  credentials:\n    file: ").append(q(f.credentials().file())).append('\n')
                .append("  ssh:\n    private-key: ").append(q(f.ssh().privateKey())).append('\n')
                .append("    known-hosts: ").append(q(f.ssh().knownHosts())).append('\n')
                .append("  zones:\n");
        for (ZoneProperties z : f.zones()) {
            y.append("    - id: ").append(z.id()).append('\n')
                    .append("      name: ").append(q(z.name())).append('\n')
                    .append("      role: ").append(z.role()).append('\n')
                    .append("      endpoint: ").append(q(z.endpoint())).append('\n')
                    .append("      ha: ").append(z.ha()).append('\n')
                    .append("      os-family: ").append(z.osFamily()).append('\n')
                    .append("      database:\n        backend: ").append(z.database().backend()).append('\n');
            if (z.database().host() != null) {
                y.append("        host: ").append(q(z.database().host())).append('\n')
                        .append("        user: ").append(q(z.database().user())).append('\n')
                        .append("        name: ").append(q(z.database().name())).append('\n')
                        .append("        password:\n          file: ").append(q(z.database().password().file())).append('\n');
            }
            if (!z.extraServices().isEmpty()) {
                y.append("      extra-services:\n");
                z.extraServices().forEach(e -> y.append("        - ").append(q(e)).append('\n'));
            }
            y.append("      paths:\n        etc: ").append(q(z.paths().etc())).append('\n')
                    .append("        var: ").append(q(z.paths().var())).append('\n')
                    .append("        lock-file: ").append(q(z.paths().lockFile())).append('\n')
                    .append("        run-dir: ").append(q(z.paths().runDir())).append('\n')
                    .append("        backup-dir: ").append(q(z.paths().backupDir())).append('\n')
                    .append("      servers:\n");
            for (ServerProperties s : z.servers()) {
                y.append("        - name: ").append(q(s.name())).append('\n')
                        .append("          host: ").append(q(s.host())).append('\n')
                        .append("          port: ").append(s.port()).append('\n')
                        .append("          user: ").append(q(s.user())).append('\n');
                if (s.endpoint() != null) {
                    y.append("          endpoint: ").append(q(s.endpoint())).append('\n');
                }
            }
            NodeProperties n = z.nodes();
            if (n != null) {
                y.append("      nodes:\n        user: ").append(q(n.user())).append('\n')
                        .append("        private-key: ").append(q(n.privateKey())).append('\n')
                        .append("        repository-file: ").append(q(n.repositoryFile())).append('\n')
                        .append("        run-dir: ").append(q(n.runDir())).append('\n')
                        .append("        via: ").append(n.via()).append('\n')
                        .append("        addresses:\n");
                n.addresses().forEach((host, address) -> y.append("          \"[").append(host).append("]\": ")
                        .append(q(address)).append('\n'));
            }
        }
        SimFiles.writeText(file.toAbsolutePath(), y.toString());
        return file;
    }

    private static String q(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        scheduler.shutdownNow();
        for (SimZone z : zones.values()) {
            for (SimServer s : java.util.stream.Stream.concat(z.servers.stream(), z.nodes.stream()).toList()) {
                try {
                    s.close();
                } catch (RuntimeException e) {
                    log.warn("simulated {}: not stopped cleanly: {}", s.label(), e.toString());
                }
            }
        }
        pumps.shutdownNow();
        nioPool.shutdownNow();
    }
}
