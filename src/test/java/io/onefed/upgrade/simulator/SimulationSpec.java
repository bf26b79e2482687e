package io.onefed.upgrade.simulator;

import io.onefed.upgrade.federation.OsFamily;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What to simulate: the federation's zones with their installed and offered OpenNebula versions, front-end
 * servers, hosts and VMs. Checked on construction so that a wrong spec names the field and the fix.
 */
public record SimulationSpec(
        String name,
        /** oneadmin's password (the federated user pool: the same in every zone). */
        String oneadminPassword,
        /** MySQL password of every zone's {@code oneadmin} DB user (zones with the sqlite backend ignore it). */
        String dbPassword,
        /** The federation's FED_INDEX (last federated log index) at start. */
        long fedIndex,
        List<ZoneSpec> zones,
        /**
         * Releases whose code requires another shared (federated) DB version than their series' {@code X.Y.0}, the
         * release table's value for 6.x and 7.x: {@code 6.10.3 -> 6.10.3} makes a target whose real shared DB version
         * differs from the table (onedb version -v's shared "Required version:", onedb upgrade, oned's start check).
         */
        java.util.Map<String, String> codeSharedDbVersions) {

    public SimulationSpec(String name, String oneadminPassword, String dbPassword, long fedIndex, List<ZoneSpec> zones) {
        this(name, oneadminPassword, dbPassword, fedIndex, zones, java.util.Map.of());
    }

    public SimulationSpec {
        codeSharedDbVersions = codeSharedDbVersions == null ? java.util.Map.of() : java.util.Map.copyOf(codeSharedDbVersions);
        codeSharedDbVersions.forEach((release, shared) -> {
            ZoneSpec.checkVersion(release, "codeSharedDbVersions (release)");
            ZoneSpec.checkVersion(shared, "codeSharedDbVersions[" + release + "]");
        });
        zones = zones == null ? List.of() : List.copyOf(zones);
        if (zones.isEmpty()) {
            throw new IllegalArgumentException("simulation spec: zones is empty; give at least the master zone");
        }
        if (zones.stream().filter(ZoneSpec::master).count() != 1) {
            throw new IllegalArgumentException("simulation spec: exactly one zone must be the master (master=true)");
        }
        Set<Integer> ids = new HashSet<>();
        for (ZoneSpec z : zones) {
            if (!ids.add(z.id())) {
                throw new IllegalArgumentException("simulation spec: zone id " + z.id() + " is used twice; ids must be unique");
            }
        }
        requireToken(oneadminPassword, "oneadminPassword");
        requireToken(dbPassword, "dbPassword");
    }

    /** Safe to log: the passwords are left out. */
    @Override
    public String toString() {
        return "SimulationSpec[name=" + name + ", fedIndex=" + fedIndex + ", zones=" + zones + "]";
    }

    /** Values end up in one-line state files and oned.conf: keep them to plain characters. */
    static void requireToken(String value, String field) {
        if (value == null || !value.matches("[A-Za-z0-9_.@+-]+")) {
            throw new IllegalArgumentException("simulation spec: " + field
                    + " must be non-empty letters, digits or _.@+- (it is written to one-line state files)");
        }
    }

    public ZoneSpec zone(int id) {
        return zones.stream().filter(z -> z.id() == id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no zone " + id + " in the simulation spec"));
    }

    /** A copy with more zones (e.g. 50 generated slaves for a load test). */
    public SimulationSpec withZones(List<ZoneSpec> more) {
        List<ZoneSpec> all = new ArrayList<>(zones);
        all.addAll(more);
        return new SimulationSpec(name, oneadminPassword, dbPassword, fedIndex, all, codeSharedDbVersions);
    }

    /** A copy where {@code release}'s code requires the shared DB version {@code shared} (see codeSharedDbVersions). */
    public SimulationSpec withCodeSharedDbVersion(String release, String shared) {
        java.util.Map<String, String> more = new java.util.HashMap<>(codeSharedDbVersions);
        more.put(release, shared);
        return new SimulationSpec(name, oneadminPassword, dbPassword, fedIndex, zones, more);
    }

    /**
     * One zone.
     *
     * @param servers    number of front-end servers: 1 is a single front-end, 3 an HA (Raft) zone
     * @param installed  OpenNebula version installed on the front-ends, e.g. 6.10.0
     * @param offered    versions the zone's package repository offers once switched to their series, comma
     *                   separated, e.g. {@code 7.0.0,7.0.1}: a series repository installs its newest patch
     * @param dbBackend  {@code mysql} or {@code sqlite}
     * @param extraUnits units besides OpenNebula's own that exist on the front-ends, e.g. apache2
     * @param legacyAptKey front-ends installed with older instructions ({@code apt-key add repo.key}, or a key in
     *                   {@code trusted.gpg.d}): no {@code /etc/apt/keyrings/opennebula.gpg}, which the current
     *                   repository line's {@code signed-by} names (apt front-ends only)
     */
    public record ZoneSpec(int id, String name, boolean master, int servers, OsFamily osFamily, String installed,
            String offered, String dbBackend, List<HostSpec> hosts, List<VmSpec> vms, List<String> extraUnits,
            boolean legacyAptKey) {

        public ZoneSpec(int id, String name, boolean master, int servers, OsFamily osFamily, String installed,
                String offered, String dbBackend, List<HostSpec> hosts, List<VmSpec> vms, List<String> extraUnits) {
            this(id, name, master, servers, osFamily, installed, offered, dbBackend, hosts, vms, extraUnits, false);
        }

        public ZoneSpec {
            hosts = hosts == null ? List.of() : List.copyOf(hosts);
            vms = vms == null ? List.of() : List.copyOf(vms);
            extraUnits = extraUnits == null ? List.of() : List.copyOf(extraUnits);
            osFamily = osFamily == null ? OsFamily.DEBIAN : osFamily;
            dbBackend = dbBackend == null ? "mysql" : dbBackend;
            if (id < 0) {
                throw new IllegalArgumentException("zone spec: id " + id + " is negative");
            }
            requireToken(name, "zones[id=" + id + "].name");
            if (servers < 1) {
                throw new IllegalArgumentException("zone spec " + id + ": servers must be 1 (single front-end) or more (HA)");
            }
            if (!dbBackend.equals("mysql") && !dbBackend.equals("sqlite")) {
                throw new IllegalArgumentException("zone spec " + id + ": dbBackend '" + dbBackend + "' is not mysql or sqlite");
            }
            checkVersion(installed, "zones[id=" + id + "].installed");
            for (String v : offered == null ? new String[] {null} : offered.split(",", -1)) {
                checkVersion(v, "zones[id=" + id + "].offered");
            }
            for (String u : extraUnits) {
                requireToken(u, "zones[id=" + id + "].extraUnits");
            }
        }

        /** A single front-end zone with two hosts and a running VM. */
        public static ZoneSpec single(int id, String name, boolean master, String installed, String offered) {
            return new ZoneSpec(id, name, master, 1, OsFamily.DEBIAN, installed, offered, "mysql",
                    List.of(new HostSpec(0, "kvm-" + name.toLowerCase() + "-1", 2),
                            new HostSpec(1, "kvm-" + name.toLowerCase() + "-2", 2)),
                    List.of(new VmSpec(0, "vm-" + id + "-0", 3, 3, 0)), List.of());
        }

        public ZoneSpec withServers(int n) {
            return new ZoneSpec(id, name, master, n, osFamily, installed, offered, dbBackend, hosts, vms, extraUnits);
        }

        public ZoneSpec withOsFamily(OsFamily family) {
            return new ZoneSpec(id, name, master, servers, family, installed, offered, dbBackend, hosts, vms, extraUnits);
        }

        public ZoneSpec withDbBackend(String backend) {
            return new ZoneSpec(id, name, master, servers, osFamily, installed, offered, backend, hosts, vms, extraUnits);
        }

        public ZoneSpec withVms(List<VmSpec> list) {
            return new ZoneSpec(id, name, master, servers, osFamily, installed, offered, dbBackend, hosts, list, extraUnits);
        }

        public ZoneSpec withExtraUnits(List<String> units) {
            return new ZoneSpec(id, name, master, servers, osFamily, installed, offered, dbBackend, hosts, vms, units);
        }

        public ZoneSpec withLegacyAptKey(boolean legacy) {
            return new ZoneSpec(id, name, master, servers, osFamily, installed, offered, dbBackend, hosts, vms,
                    extraUnits, legacy);
        }

        public ZoneSpec withOffered(String versions) {
            return new ZoneSpec(id, name, master, servers, osFamily, installed, versions, dbBackend, hosts, vms,
                    extraUnits, legacyAptKey);
        }

        /** The offered versions, oldest first as given. */
        public List<String> offeredVersions() {
            return List.of(offered.split(","));
        }

        public boolean ha() {
            return servers > 1;
        }

        /** The same zone with hosts that have no SSH server (no node upgrade): cheap for scale tests. */
        public ZoneSpec withoutNodeSsh() {
            return new ZoneSpec(id, name, master, servers, osFamily, installed, offered, dbBackend,
                    hosts.stream().map(h -> new HostSpec(h.id(), h.name(), h.state(), false)).toList(), vms, extraUnits);
        }

        public ZoneSpec withHosts(List<HostSpec> list) {
            return new ZoneSpec(id, name, master, servers, osFamily, installed, offered, dbBackend, list, vms, extraUnits);
        }

        /** Whether the zone's hosts are reachable over SSH, so the orchestrator upgrades their node packages. */
        public boolean nodeUpgrades() {
            return hosts.stream().anyMatch(HostSpec::ssh);
        }

        static void checkVersion(String v, String field) {
            // four parts on CE maintenance releases: code_version() is "6.10.0.1" on one-6.10 (include/NebulaService.h)
            if (v == null || !v.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}(\\.\\d{1,3})?")) {
                throw new IllegalArgumentException("zone spec: " + field + " '" + v + "' is not MAJOR.MINOR.PATCH[.BUILD],"
                        + " e.g. 6.10.0 or 6.10.0.1");
            }
        }
    }

    /**
     * A hypervisor host; {@code state} as HOST/STATE (2 monitored, 4 disabled, 8 offline). {@code ssh}: the host
     * gets an SSH server of its own (node packages, libvirtd) and its zone is configured for node upgrades; scale
     * tests turn it off to stay cheap (their zones are then configured without node upgrades).
     */
    public record HostSpec(int id, String name, int state, boolean ssh) {
        public HostSpec {
            requireToken(name, "hosts[id=" + id + "].name");
        }

        public HostSpec(int id, String name, int state) {
            this(id, name, state, true);
        }
    }

    /** A VM; {@code state}/{@code lcmState} as VM/STATE and VM/LCM_STATE (3/3 is ACTIVE/RUNNING). */
    public record VmSpec(int id, String name, int state, int lcmState, int hostId) {
        public VmSpec {
            requireToken(name, "vms[id=" + id + "].name");
        }
    }
}
