package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.Leaders;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.opennebula.OneVm;
import io.onefed.upgrade.opennebula.OneZone;
import io.onefed.upgrade.ssh.CommandResult;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.ssh.SshTarget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Step 1 of the guide, read-only: nothing on any zone changes. Checks that the configuration matches the
 * zone pool, every zone and front-end answers (XML-RPC and SSH with verified host keys), all zones run the
 * same version and the target is an upgrade from it, FED_INDEX is equal everywhere, HA zones have a leader,
 * no VM is in a transient state and each front-end has room for the backups.
 */
public class PreflightService {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PreflightService.class);

    /** OK: go on; RECHECK: only FED_INDEX differs, wait and look again; BLOCKED: an operator must look. */
    public enum Verdict { OK, RECHECK, BLOCKED }

    public record Result(Verdict verdict, List<Check> checks, List<ZoneReading> zones, String fromVersion,
            String zoneLeaders, boolean hasZoneDisable,
            /** The exact package version of the target per zone ({@link PackageVersions}); only zones where it was found. */
            String zonePackageVersions) {

        public Result(Verdict verdict, List<Check> checks, List<ZoneReading> zones, String fromVersion,
                String zoneLeaders, boolean hasZoneDisable) {
            this(verdict, checks, zones, fromVersion, zoneLeaders, hasZoneDisable, null);
        }

        public String summary() {
            StringBuilder s = new StringBuilder();
            s.append(String.format("%-5s %-16s %-7s %-10s %-9s %-12s %s%n", "ID", "NAME", "ROLE", "VERSION", "STATE",
                    "FED_INDEX", "LEADER"));
            for (ZoneReading z : zones) {
                s.append(String.format("%-5d %-16s %-7s %-10s %-9s %-12s %s%n", z.id(), z.name(), z.role(),
                        z.reachable() ? z.version() : "unreachable", Objects.toString(z.state(), "-"),
                        Objects.toString(z.fedIndex(), "-"), Objects.toString(z.leader(), "-")));
            }
            s.append('\n');
            if (zonePackageVersions != null && !zonePackageVersions.isBlank()) {
                s.append("Package versions to install (zone=version): ").append(zonePackageVersions).append("\n\n");
            }
            checks.forEach(c -> s.append(c.line()).append('\n'));
            return s.toString();
        }
    }

    private final FederationProperties federation;
    private final OneClients clients;
    private final RemoteShell shell;
    private final FederationProbe probe;
    private final long minBackupSpaceKb;

    public PreflightService(FederationProperties federation, OneClients clients, RemoteShell shell,
            long minBackupSpaceKb) {
        this.federation = federation;
        this.clients = clients;
        this.shell = shell;
        this.probe = new FederationProbe(clients);
        this.minBackupSpaceKb = minBackupSpaceKb;
    }

    /** @param rechecksLeft how many more FED_INDEX re-checks the process will do before asking an operator */
    public Result run(String targetVersion, int rechecksLeft) {
        long began = System.nanoTime();
        List<Check> checks = new ArrayList<>();
        OneVersion target = OneVersion.parse(targetVersion);
        List<ZoneReading> readings = probe.readAll(federation.all());
        Map<Integer, String> leaders = new LinkedHashMap<>();

        checkZonePool(checks);
        for (ZoneReading r : readings) {
            if (!r.reachable()) {
                checks.add(Check.fail(r.name(), "XML-RPC reachable", r.endpoint() + ": " + r.error()));
                continue;
            }
            checks.add(Check.pass(r.name(), "XML-RPC reachable", r.endpoint() + " answers " + r.version()));
            ZoneProperties zone = federation.byId(r.id());
            if (r.leader() == null) {
                checks.add(Check.fail(r.name(), "Raft leader",
                        r.error() != null ? r.error() : "no server of the HA zone is LEADER"));
            } else {
                leaders.put(r.id(), r.leader());
                if (zone.ha()) {
                    checks.add(Check.pass(r.name(), "Raft leader", r.leader()));
                }
            }
        }
        String from = checkVersions(readings, target, checks);
        boolean fedOutOfSync = checkFedIndex(readings, checks);
        long apiChecked = System.nanoTime();
        FederationProbe.inParallel(federation.all(), FederationProbe.ZONES_AT_ONCE, zone -> checkServers(zone, checks));
        long sshChecked = System.nanoTime();
        Map<Integer, String> packageVersions = new java.util.concurrent.ConcurrentSkipListMap<>();
        // A zone's remaining reads need nothing from each other, so they are asked side by side, not in rounds:
        // its VM pool, and the target's and the running release's repositories. The two queries on one front-end
        // do not wait for each other: each keeps its lists in a temporary directory of its own, and apt-get update
        // locks only the lists directory it is given (apt-pkg/update.cc, ListUpdate: pkgAcquire::GetLock of
        // Dir::State::Lists), never the dpkg lock an install takes. A front-end answers in the time of one query.
        OneVersion previous = from == null ? null : OneVersion.parse(from);
        List<Runnable> reads = new ArrayList<>();
        for (ZoneProperties zone : federation.all()) {
            reads.add(() -> checkVms(zone, checks));
            reads.add(() -> checkRepository(zone, target, checks, packageVersions));
            if (previous != null) {
                reads.add(() -> checkRollbackRepository(zone, previous, checks));
            }
        }
        // each zone's oned gets one call and its front-ends two commands at most: all zones go at once
        FederationProbe.inParallel(reads, FederationProbe.ZONES_AT_ONCE, read -> {
            read.run();
            return null;
        });

        boolean othersFailed = checks.stream().anyMatch(c -> !c.passed() && !c.name().equals("FED_INDEX in sync"));
        Verdict verdict = othersFailed ? Verdict.BLOCKED
                : fedOutOfSync ? (rechecksLeft > 0 ? Verdict.RECHECK : Verdict.BLOCKED) : Verdict.OK;
        boolean zoneDisable = from != null && OneVersion.parse(from).hasZoneDisable();
        // the failed checks by name: which zone and what, for the operator reading the log beside the review form
        List<String> failed = checks.stream().filter(c -> !c.passed()).map(c -> c.zone() + ": " + c.name()).toList();
        long end = System.nanoTime();
        // where the time went, for an operator who finds the preflight slow: the zones' APIs, SSH and disk space,
        // then the VM pools and repositories
        log.info("Preflight of {} zones to {}: {} in {} ms (API {} ms, SSH and backup space {} ms, VMs and repositories"
                + " {} ms){}", federation.all().size(), target, verdict, (end - began) / 1_000_000,
                (apiChecked - began) / 1_000_000, (sshChecked - apiChecked) / 1_000_000, (end - sshChecked) / 1_000_000,
                failed.isEmpty() ? "" : ", failed: " + String.join("; ", failed));
        return new Result(verdict, List.copyOf(checks), readings, from, new Leaders(leaders).format(), zoneDisable,
                PackageVersions.format(packageVersions));
    }

    private void checkZonePool(List<Check> checks) {
        ZoneProperties master = federation.master();
        List<OneZone> pool;
        try {
            pool = clients.forZone(master).zonePool();
        } catch (RuntimeException e) {
            checks.add(Check.fail("federation", "zone pool matches configuration", "master did not answer: " + e.getMessage()));
            return;
        }
        for (ZoneProperties zone : federation.all()) {
            OneZone found = pool.stream().filter(z -> z.id() == zone.id()).findFirst().orElse(null);
            if (found == null) {
                checks.add(Check.fail(zone.name(), "zone pool matches configuration",
                        "zone " + zone.id() + " is not in the master's zone pool: fix federation.zones[id=" + zone.id() + "]"));
            } else if (!found.name().equals(zone.name()) || !sameEndpoint(found.endpoint(), zone.endpoint())) {
                checks.add(Check.fail(zone.name(), "zone pool matches configuration", "pool has '" + found.name() + "' at "
                        + found.endpoint() + ", configuration has '" + zone.name() + "' at " + zone.endpoint()));
            } else {
                checks.add(Check.pass(zone.name(), "zone pool matches configuration", "id " + zone.id()));
            }
        }
        pool.stream().filter(z -> federation.all().stream().noneMatch(c -> c.id() == z.id())).forEach(z -> checks.add(
                Check.fail(z.name(), "zone pool matches configuration", "zone " + z.id() + " of the pool is not configured")));
    }

    static boolean sameEndpoint(String a, String b) {
        return a != null && b != null && a.replaceAll("/+$", "").equalsIgnoreCase(b.replaceAll("/+$", ""));
    }

    private String checkVersions(List<ZoneReading> readings, OneVersion target, List<Check> checks) {
        List<String> versions = readings.stream().filter(ZoneReading::reachable).map(ZoneReading::version).distinct().toList();
        if (versions.isEmpty()) {
            return null;
        }
        if (versions.size() > 1) {
            checks.add(Check.fail("federation", "same version in every zone", "zones run " + String.join(", ", versions)));
            return versions.get(0);
        }
        OneVersion from = OneVersion.parse(versions.get(0));
        checks.add(Check.pass("federation", "same version in every zone", from.toString()));
        if (!target.isAfter(from)) {
            checks.add(Check.fail("federation", "target is an upgrade", "target " + target + " is not newer than " + from));
        } else {
            // which procedure (federated or zone by zone) is the plan's to say, from the release table
            checks.add(Check.pass("federation", "target is an upgrade", from + " -> " + target));
        }
        return from.toString();
    }

    private boolean checkFedIndex(List<ZoneReading> readings, List<Check> checks) {
        List<String> indexes = readings.stream().filter(ZoneReading::reachable).map(ZoneReading::fedIndex).distinct().toList();
        if (indexes.size() > 1 || readings.stream().anyMatch(r -> !r.reachable())) {
            StringBuilder d = new StringBuilder();
            readings.forEach(r -> d.append(r.name()).append('=').append(r.reachable() ? r.fedIndex() : "?").append(' '));
            checks.add(Check.fail("federation", "FED_INDEX in sync", d.toString().trim()));
            return true;
        }
        checks.add(Check.pass("federation", "FED_INDEX in sync", indexes.isEmpty() ? "-" : indexes.get(0)));
        return false;
    }

    private Void checkServers(ZoneProperties zone, List<Check> checks) {
        for (ServerProperties server : zone.servers()) {
            SshTarget target = SshTarget.of(zone, server);
            RemoteShell.ProbeResult probe = shell.probe(target);
            if (!probe.reachable()) {
                add(checks, Check.fail(zone.name(), "SSH " + server.name(), target.address() + ": " + probe.error()));
                continue;
            }
            add(checks, Check.pass(zone.name(), "SSH " + server.name(), target.address() + " key " + probe.hostKeyFingerprint()));
            try {
                CommandResult df = shell.run(target, RemoteCommand.of(
                        "d={}; while [ ! -d \"$d\" ]; do d=$(dirname \"$d\"); done; df -Pk \"$d\" | awk 'NR==2 {print $4}'",
                        zone.paths().backupDir()));
                long freeKb = Long.parseLong(df.stdout().trim());
                String detail = (freeKb / 1024) + " MiB free for " + zone.paths().backupDir() + " (need "
                        + (minBackupSpaceKb / 1024) + " MiB)";
                add(checks, freeKb >= minBackupSpaceKb ? Check.pass(zone.name(), "backup space on " + server.name(), detail)
                        : Check.fail(zone.name(), "backup space on " + server.name(), detail));
            } catch (RuntimeException e) {
                add(checks, Check.fail(zone.name(), "backup space on " + server.name(), "df failed: " + e.getMessage()));
            }
        }
        return null;
    }

    /**
     * What will be installed is what is approved: read the target series' repository on every front-end without
     * changing it ({@link FrontendPackages#repositoryQuery}) and find the exact package version of the requested
     * target (a series repository serves several patches and would install its newest). The zone fails here,
     * before anything is touched, when the repository does not answer or lacks that version of the server or of
     * the migration package. The apt keyring is reported, not blocked on, where the repository step installs it.
     */
    private Void checkRepository(ZoneProperties zone, OneVersion target, List<Check> checks, Map<Integer, String> found) {
        String name = "target repository offers " + target;
        java.util.Set<String> versions = new java.util.TreeSet<>();
        boolean failed = false;
        for (ServerProperties server : zone.servers()) {
            SshTarget host = SshTarget.of(zone, server);
            FrontendPackages.RepositoryView view;
            try {
                CommandResult r = shell.run(host, FrontendPackages.repositoryQuery(zone, target));
                if (!r.succeeded()) {
                    add(checks, Check.fail(zone.name(), name + " (" + server.name() + ")", "repository query failed (exit "
                            + r.exitStatus() + "): " + tail(r.stderr().isBlank() ? r.stdout() : r.stderr())));
                    failed = true;
                    continue;
                }
                view = FrontendPackages.parse(r.stdout());
            } catch (RuntimeException e) {
                add(checks, Check.fail(zone.name(), name + " (" + server.name() + ")", "repository query failed: " + e.getMessage()));
                failed = true;
                continue;
            }
            java.util.Optional<String> exact = view.exactVersion(target);
            List<String> offered = view.offered().getOrDefault("opennebula", List.of());
            if (exact.isEmpty()) {
                add(checks, Check.fail(zone.name(), name + " (" + server.name() + ")", "opennebula " + target
                        + " is not in the repository (it offers " + (offered.isEmpty() ? "nothing" : String.join(", ", offered))
                        + "): mirror that release or choose a target it offers"));
                failed = true;
                continue;
            }
            String v = exact.get();
            String migration = FrontendPackages.migrationPackage(target);
            if (!view.offers(migration, v)) {
                add(checks, Check.fail(zone.name(), name + " (" + server.name() + ")", migration + " " + v
                        + " is not in the repository: onedb upgrade needs its migrators (provide the package there)"));
                failed = true;
                continue;
            }
            versions.add(v);
            add(checks, Check.pass(zone.name(), name + " (" + server.name() + ")", "installs opennebula " + v
                    + " (offered: " + String.join(", ", offered) + ")"));
            List<String> retired = view.installed().stream().filter(p -> !view.offers(p, v)
                    && !FrontendPackages.required(p, target)).toList();
            if (!retired.isEmpty()) {
                add(checks, Check.pass(zone.name(), "packages " + target.series() + " does not ship (" + server.name() + ")",
                        String.join(", ", retired) + ": installed, not offered at " + v + "; not upgraded, left to the"
                                + " package manager"));
            }
            if (view.keyringPresent() != null) {
                String key = FrontendPackages.keyring(zone);
                if (view.keyringPresent()) {
                    add(checks, Check.pass(zone.name(), "repository key (" + server.name() + ")", key));
                } else if (FrontendPackages.repositoryStepInstallsKey(zone)) {
                    add(checks, Check.pass(zone.name(), "repository key (" + server.name() + ")", key + " is missing"
                            + " (older install instructions): the repository step installs " + FrontendPackages.KEY_URL));
                } else if (zone.repository().contains(key)) {
                    // a configured line naming this keyring: nothing here installs it, and apt refuses the repository
                    add(checks, Check.fail(zone.name(), "repository key (" + server.name() + ")", key + " is missing and"
                            + " federation.zones[id=" + zone.id() + "].repository names it: install OpenNebula's key"
                            + " there (" + FrontendPackages.KEY_URL + ", gpg --dearmor)"));
                }
            }
        }
        if (!failed && versions.size() > 1) {
            add(checks, Check.fail(zone.name(), name, "the zone's front-ends would install different versions: " + versions));
        } else if (!failed && versions.size() == 1) {
            found.put(zone.id(), versions.iterator().next());
        }
        return null;
    }

    /**
     * A rollback installs the running release again from its own series' repository (the definition backup-config
     * saves): that repository must still offer exactly the running version, or the rollback could not reinstall
     * it. Found here, before the first change, with the zone and the fix; the same read-only query as the target's.
     */
    private Void checkRollbackRepository(ZoneProperties zone, OneVersion previous, List<Check> checks) {
        String name = "rollback: " + previous.series() + " repository still offers " + previous;
        for (ServerProperties server : zone.servers()) {
            SshTarget host = SshTarget.of(zone, server);
            try {
                CommandResult r = shell.run(host, FrontendPackages.repositoryQuery(zone, previous));
                if (!r.succeeded()) {
                    add(checks, Check.fail(zone.name(), name + " (" + server.name() + ")", "repository query failed (exit "
                            + r.exitStatus() + "): " + tail(r.stderr().isBlank() ? r.stdout() : r.stderr())
                            + ": a rollback could not reinstall " + previous + "; make the " + previous.series()
                            + " repository reachable from the front-end"));
                    continue;
                }
                FrontendPackages.RepositoryView view = FrontendPackages.parse(r.stdout());
                java.util.Optional<String> exact = view.exactVersion(previous);
                List<String> offered = view.offered().getOrDefault("opennebula", List.of());
                add(checks, exact.isPresent()
                        ? Check.pass(zone.name(), name + " (" + server.name() + ")", "a rollback reinstalls opennebula "
                                + exact.get())
                        : Check.fail(zone.name(), name + " (" + server.name() + ")", "opennebula " + previous
                                + " is no longer in the repository (it offers " + (offered.isEmpty() ? "nothing"
                                : String.join(", ", offered)) + "): a rollback could not reinstall it; mirror the "
                                + previous.series() + " repository with " + previous + " and point"
                                + " federation.zones[id=" + zone.id() + "].repository at it"));
            } catch (RuntimeException e) {
                add(checks, Check.fail(zone.name(), name + " (" + server.name() + ")", "repository query failed: "
                        + e.getMessage()));
            }
        }
        return null;
    }

    private static String tail(String text) {
        String t = text == null ? "" : text.strip();
        return t.length() > 300 ? "..." + t.substring(t.length() - 300) : t;
    }

    /** ACTIVE VMs whose LCM state is not RUNNING or UNKNOWN are mid-operation (prolog, migrate, save, epilog...). */
    private Void checkVms(ZoneProperties zone, List<Check> checks) {
        try {
            List<OneVm> busy = clients.forZone(zone).vmPool().stream().filter(PreflightService::isTransient).toList();
            add(checks, busy.isEmpty() ? Check.pass(zone.name(), "no VM in a transient state", "")
                    : Check.fail(zone.name(), "no VM in a transient state", busy.stream()
                            .map(v -> v.id() + " " + v.name() + " (LCM_STATE " + v.lcmState() + ")").toList().toString()));
        } catch (RuntimeException e) {
            add(checks, Check.fail(zone.name(), "no VM in a transient state", "VM pool unreadable: " + e.getMessage()));
        }
        return null;
    }

    static boolean isTransient(OneVm vm) {
        return vm.state() == 3 && vm.lcmState() != 3 && vm.lcmState() != 16;
    }

    private static void add(List<Check> checks, Check check) {
        synchronized (checks) {
            checks.add(check);
        }
    }
}
