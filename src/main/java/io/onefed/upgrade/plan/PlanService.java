package io.onefed.upgrade.plan;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.Leaders;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.releases.Procedure;
import io.onefed.upgrade.releases.ProcedureChoice;
import io.onefed.upgrade.releases.ProcedureService;
import io.onefed.upgrade.releases.ReleaseTable;
import io.onefed.upgrade.ssh.SshTarget;
import io.onefed.upgrade.steps.FederationProbe;
import io.onefed.upgrade.steps.HostCommand;
import io.onefed.upgrade.steps.OneVersion;
import io.onefed.upgrade.steps.RemoteStepService;
import io.onefed.upgrade.steps.StepContext;
import io.onefed.upgrade.steps.ZoneCommands;
import io.onefed.upgrade.steps.ZoneReading;
import io.onefed.upgrade.steps.ZoneStep;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The dry run: renders every action of an upgrade in the order {@code federation-upgrade} runs them, with the
 * same command builders the steps use ({@link RemoteStepService#plan}), and touches nothing. The order follows
 * the BPMN: fence hosts, block API access (slaves first), stop every zone, upgrade the master, federated backup,
 * then per slave its own backups + copy + federated restore + the zone steps, then re-open API access (master
 * first) and hosts. When the release table allows it ({@link ProcedureService}), the zone-by-zone procedure of
 * {@code rolling-upgrade} instead: per zone, master first, disable its hosts, stop it, its backups and zone steps
 * (no federated backup or restore), enable its hosts; the master's shared DB version is confirmed before any slave.
 */
public class PlanService {

    /** Upgrade id used in the rendered paths when the plan is asked for outside a running upgrade. */
    public static final String DRY_RUN_ID = "DRYRUN";

    /** Every zone's own backups, first in {@code zone-upgrade}: a slave's are taken before its federated restore. */
    static final List<ZoneStep> BACKUP_STEPS = List.of(ZoneStep.BACKUP_CONFIG, ZoneStep.BACKUP_DB);
    /** The zone steps of {@code zone-upgrade} after the slave's restore, in model order. */
    static final List<ZoneStep> ZONE_STEPS = List.of(ZoneStep.SWITCH_REPOSITORY, ZoneStep.UPGRADE_PACKAGES,
            ZoneStep.UPGRADE_CONFIG, ZoneStep.UPGRADE_DB, ZoneStep.CHECK_DB);
    /** HA only, in model order; each pair is separated by a checksum-verified copy leader -> followers. */
    static final List<ZoneStep> HA_STEPS = List.of(ZoneStep.DUMP_LEADER_DB, ZoneStep.RESTORE_FOLLOWERS,
            ZoneStep.PACK_LEADER_CONFIG, ZoneStep.APPLY_LEADER_CONFIG);

    /** Shown in the plan where a slave's restore check names the master's version, read only during the upgrade. */
    public static final String MASTER_SHARED_PLACEHOLDER = "<shared tables version read on the master after its federated backup>";
    static final List<ZoneStep> AFTER_STEPS = List.of(ZoneStep.START_SERVICES, ZoneStep.SYNC_HOSTS);

    private final FederationProperties federation;
    private final RemoteStepService steps;
    private final FederationProbe probe;
    private final io.onefed.upgrade.steps.NodeHosts nodeHosts;
    private final ProcedureService procedures = new ProcedureService(ReleaseTable.bundled());

    public PlanService(FederationProperties federation, RemoteStepService steps, FederationProbe probe) {
        this(federation, steps, probe, null);
    }

    /** @param nodeHosts reads the hypervisor hosts for a dry run (null: the dry run lists none) */
    public PlanService(FederationProperties federation, RemoteStepService steps, FederationProbe probe,
            io.onefed.upgrade.steps.NodeHosts nodeHosts) {
        this.federation = federation;
        this.steps = steps;
        this.probe = probe;
        this.nodeHosts = nodeHosts;
    }

    /** A plan that cannot be rendered, with what is missing and how to fix it. */
    public static class PlanException extends RuntimeException {
        public PlanException(String message) {
            super(message);
        }
    }

    /**
     * Reads the current version and the Raft leaders read-only from the zones, then renders the plan.
     * @throws PlanException when the zones do not answer or disagree on the version (the preflight says more)
     */
    public Plan dryRun(String targetVersion) {
        return dryRun(targetVersion, false);
    }

    /** @param forceFederated the federated procedure even where zone by zone would do */
    public Plan dryRun(String targetVersion, boolean forceFederated) {
        if (federation.all().isEmpty()) {
            throw new PlanException("federation.zones: no federation is configured; set FEDERATION_CONFIG");
        }
        List<ZoneReading> readings = probe.readAll(federation.all());
        List<String> down = readings.stream().filter(r -> !r.reachable()).map(r -> r.name() + " (" + r.error() + ")").toList();
        if (!down.isEmpty()) {
            throw new PlanException("zones not reachable, so their version and leader are unknown: "
                    + String.join(", ", down) + "; run 'status' and fix them first");
        }
        List<String> versions = readings.stream().map(ZoneReading::version).distinct().toList();
        if (versions.size() != 1) {
            throw new PlanException("zones run different versions " + versions + "; the preflight blocks such an upgrade");
        }
        Map<Integer, String> leaders = new LinkedHashMap<>();
        readings.stream().filter(r -> r.leader() != null).forEach(r -> leaders.put(r.id(), r.leader()));
        String from = versions.get(0);
        String nodes;
        try {
            nodes = nodeHosts == null ? null : nodeHosts.read();
        } catch (IllegalStateException e) {
            throw new PlanException(e.getMessage()); // a host name SSH cannot reach: the message says what to fix
        }
        // no preflight here, so no repository query: the package step is shown unpinned (the approved plan is pinned)
        return plan(DRY_RUN_ID, from, targetVersion, new Leaders(leaders).format(), OneVersion.parse(from).hasZoneDisable(),
                null, nodes, forceFederated);
    }

    public Plan plan(String upgradeId, String fromVersion, String targetVersion, String zoneLeaders,
            boolean hasZoneDisable) {
        return plan(upgradeId, fromVersion, targetVersion, zoneLeaders, hasZoneDisable, null, null);
    }

    /**
     * The plan from known facts (the preflight's variables inside the process). Pure. {@code zonePackageVersions}
     * ({@link io.onefed.upgrade.steps.PackageVersions}) pins the package step's versions, so the plan's commands,
     * and with them its hash, name exactly what will be installed; {@code zoneNodes}
     * ({@code NodeHosts}), the hypervisor hosts read before the plan, puts each host in the plan.
     */
    public Plan plan(String upgradeId, String fromVersion, String targetVersion, String zoneLeaders,
            boolean hasZoneDisable, String zonePackageVersions, String zoneNodes) {
        return plan(upgradeId, fromVersion, targetVersion, zoneLeaders, hasZoneDisable, zonePackageVersions, zoneNodes,
                false);
    }

    /** @param forceFederated the operator's request for the federated procedure (start field {@code forceFederated}) */
    public Plan plan(String upgradeId, String fromVersion, String targetVersion, String zoneLeaders,
            boolean hasZoneDisable, String zonePackageVersions, String zoneNodes, boolean forceFederated) {
        OneVersion from = parse("fromVersion", fromVersion);
        OneVersion target = parse("targetVersion", targetVersion);
        if (!target.isAfter(from)) {
            throw new PlanException("targetVersion: " + target + " is not newer than the running " + from);
        }
        Builder b = new Builder(upgradeId, from.toString(), target.toString(), zoneLeaders);
        b.packageVersions = zonePackageVersions;
        b.zoneNodes = zoneNodes;
        b.choice = procedures.choose(from.toString(), target.toString(), forceFederated);
        if (b.choice.procedure() == Procedure.ZONE_BY_ZONE) {
            return zoneByZone(b, hasZoneDisable);
        }
        ZoneProperties master = federation.master();

        Phase fence = b.phase("federation", "disable-hosts", "Record enabled hypervisor hosts, then disable them");
        for (ZoneProperties z : federation.all()) {
            fence.api(z, "one.hostpool.info, then one.host.status <id> DISABLED for each host not already disabled/offline");
        }
        if (hasZoneDisable) {
            Phase block = b.phase("federation", "block-api", "Block API access: disable zones, slaves first");
            federation.slavesThenMaster().forEach(z -> block.api(z, "one.zone.enable " + z.id() + " false"));
        } else {
            b.phase("federation", "block-api", "Block API access (before 6.2: no zone disable)")
                    .manual("an operator blocks access to the master's API (firewall, proxy) and confirms");
        }
        for (ZoneProperties z : federation.all()) {
            b.steps(z, ZoneStep.STOP_SERVICES, null);
        }
        for (ZoneStep s : BACKUP_STEPS) {
            b.steps(master, s, null);
        }
        zoneSteps(b, master, null);
        b.steps(master, ZoneStep.FEDERATED_BACKUP, null);
        String masterBackup = ZoneCommands.federatedBackupPath(b.context(master, null));
        Phase checksum = b.phase(master.name(), "checksum-backup", "Checksum the federated backup, read the master's shared DB version");
        checksum.ssh(leader(master, zoneLeaders), master,
                io.onefed.upgrade.ssh.RemoteCommand.of("sha256sum {}", masterBackup).rendered());
        checksum.ssh(leader(master, zoneLeaders), master, io.onefed.upgrade.steps.DbVersionReader.command(master).rendered());
        for (ZoneProperties slave : federation.slaves()) {
            for (ZoneStep s : BACKUP_STEPS) {
                b.steps(slave, s, null);
            }
            String slavePath = ZoneCommands.upgradeDir(b.context(slave, null)) + "/"
                    + masterBackup.substring(masterBackup.lastIndexOf('/') + 1);
            b.phase(slave.name(), "copy-federated-backup", "Copy the federated backup to the zone")
                    .copy(leader(slave, zoneLeaders), slave, master.name() + ":" + masterBackup + " -> " + slavePath
                            + " (sha256 verified)");
            b.steps(slave, ZoneStep.RESTORE_FEDERATED, slavePath);
            zoneSteps(b, slave, slavePath);
        }
        Phase post = b.phase("federation", "post-checks", "Post-upgrade checks (read-only)");
        federation.all().forEach(z -> post.api(z, "one.system.version, one.zone.info, one.zone.raftstatus"));
        reopen(b, hasZoneDisable, "", "Re-enable API access: master first", "Re-enable API access (before 6.2)",
                "Re-enable the hypervisor hosts recorded as enabled");
        rollback(b, hasZoneDisable, "After the rollback: re-enable the hypervisor hosts recorded as enabled");
        return b.build(hasZoneDisable);
    }

    /** The zone rollback's steps of {@code zone-rollback}, in model order (the HA copy and restore after the DB). */
    static final List<ZoneStep> ROLLBACK_STEPS = List.of(ZoneStep.ROLLBACK_STOP_SERVICES, ZoneStep.ROLLBACK_RESTORE_DB,
            ZoneStep.ROLLBACK_RESTORE_FOLLOWERS, ZoneStep.ROLLBACK_REPOSITORY, ZoneStep.ROLLBACK_PACKAGES,
            ZoneStep.ROLLBACK_RESTORE_CONFIG, ZoneStep.ROLLBACK_START_SERVICES, ZoneStep.ROLLBACK_CHECK,
            ZoneStep.ROLLBACK_NODES);

    /**
     * What a rollback would run, part of the approved plan (and its hash) although it runs only on an operator's
     * "roll back": slaves first, master last (federation-rollback), each zone back to what it saved before its
     * first change, then API access and hosts re-opened as the forward path does.
     */
    private void rollback(Builder b, boolean hasZoneDisable, String hostsTitle) {
        b.phase("federation", "rollback", "Only on an operator's roll back: the zones the upgrade touched go back,"
                + " slaves first, master last").manual("a zone the upgrade never touched is left alone; a zone only"
                + " stopped gets its recorded units started again (rollback-start-services)");
        List<ZoneProperties> order = new ArrayList<>(federation.slaves());
        order.add(federation.master());
        for (ZoneProperties zone : order) {
            for (ZoneStep s : ROLLBACK_STEPS) {
                if (s == ZoneStep.ROLLBACK_RESTORE_FOLLOWERS) {
                    if (!zone.ha()) {
                        continue;
                    }
                    String backup = ZoneCommands.beforeUpgradeBackupPath(b.context(zone, null));
                    ServerProperties leader = leader(zone, b.leaders);
                    Phase copy = b.phase(zone.name(), "copy-rollback-backup", "Copy the pre-upgrade database to the followers");
                    zone.servers().stream().filter(x -> !x.name().equals(leader.name()))
                            .forEach(x -> copy.copy(x, zone, leader.name() + ":" + backup + " -> " + backup + " (sha256 verified)"));
                }
                b.steps(zone, s, null);
            }
        }
        reopen(b, hasZoneDisable, "rollback-", "After the rollback: re-enable API access, master first",
                "After the rollback: re-enable API access (before 6.2)", hostsTitle);
    }

    /**
     * Re-opening the federation as ReopenFederation does it, after the upgrade and after a rollback alike: API
     * access master first (or an operator's confirmation before 6.2), then the hosts recorded as enabled.
     */
    private void reopen(Builder b, boolean hasZoneDisable, String idPrefix, String apiTitle, String manualApiTitle,
            String hostsTitle) {
        if (hasZoneDisable) {
            Phase open = b.phase("federation", idPrefix + "enable-api", apiTitle);
            List<ZoneProperties> masterFirst = new ArrayList<>(federation.slavesThenMaster());
            java.util.Collections.reverse(masterFirst);
            masterFirst.forEach(z -> open.api(z, "one.zone.enable " + z.id() + " true"));
        } else {
            b.phase("federation", idPrefix + "enable-api", manualApiTitle)
                    .manual("an operator removes the block on the master's API and confirms");
        }
        Phase unfence = b.phase("federation", idPrefix + "enable-hosts", hostsTitle);
        federation.all().forEach(z -> unfence.api(z, "one.host.status <id> ENABLED for each recorded host"));
    }

    /**
     * {@code rolling-upgrade}: each zone on its own, master first, then the slaves (at most maxParallelZones at a
     * time); the zones not in the current batch keep serving, so no API block and no federated backup or restore.
     */
    private Plan zoneByZone(Builder b, boolean hasZoneDisable) {
        ZoneProperties master = federation.master();
        List<ZoneProperties> order = new ArrayList<>();
        order.add(master);
        order.addAll(federation.slaves());
        for (ZoneProperties z : order) {
            b.phase(z.name(), "disable-zone-hosts", "Record this zone's enabled hypervisor hosts, then disable them")
                    .api(z, "one.hostpool.info, then one.host.status <id> DISABLED for each host not already disabled/offline");
            b.steps(z, ZoneStep.STOP_SERVICES, null);
            for (ZoneStep s : BACKUP_STEPS) {
                b.steps(z, s, null);
            }
            zoneSteps(b, z, null, z == master);
            b.phase(z.name(), "enable-zone-hosts", "Re-enable this zone's hypervisor hosts recorded as enabled")
                    .api(z, "one.host.status <id> ENABLED for each recorded host");
        }
        Phase post = b.phase("federation", "post-checks", "Post-upgrade checks (read-only)");
        federation.all().forEach(z -> post.api(z, "one.system.version, one.zone.info, one.zone.raftstatus"));
        // the same federation-rollback as the federated procedure; the hosts it re-enables are those each zone
        // recorded before disabling its own (ReenableHostsAfterRollback reads the zones' records)
        rollback(b, hasZoneDisable, "After the rollback: re-enable the hypervisor hosts each zone recorded as enabled"
                + " before its own upgrade");
        return b.build(hasZoneDisable);
    }

    private void zoneSteps(Builder b, ZoneProperties zone, String federatedBackupPath) {
        zoneSteps(b, zone, federatedBackupPath, false);
    }

    /**
     * @param confirmShared the master of a zone-by-zone upgrade: zone-upgrade's ConfirmSharedVersion runs right
     *     after its package upgrade, before onecfg and onedb upgrade, so a mismatch finds its tables un-migrated
     */
    private void zoneSteps(Builder b, ZoneProperties zone, String federatedBackupPath, boolean confirmShared) {
        for (ZoneStep s : ZONE_STEPS) {
            b.steps(zone, s, federatedBackupPath);
            if (confirmShared && s == ZoneStep.UPGRADE_PACKAGES) {
                b.phase(zone.name(), "confirm-shared-version", "Confirm the shared DB version the master's new code"
                        + " requires is " + b.choice.expectedSharedDbVersion() + " before its onedb upgrade and"
                        + " before any slave is touched")
                        .ssh(leader(zone, b.leaders), zone, io.onefed.upgrade.steps.DbVersionReader.command(zone).rendered());
            }
        }
        if (zone.ha()) {
            b.steps(zone, ZoneStep.DUMP_LEADER_DB, federatedBackupPath);
            String dump = ZoneCommands.leaderDumpPath(b.context(zone, federatedBackupPath));
            ServerProperties leader = leader(zone, b.leaders);
            Phase copy = b.phase(zone.name(), "copy-leader-dump", "Copy the dump to the followers");
            zone.servers().stream().filter(s -> !s.name().equals(leader.name()))
                    .forEach(s -> copy.copy(s, zone, leader.name() + ":" + dump + " -> " + dump + " (sha256 verified)"));
            b.steps(zone, ZoneStep.RESTORE_FOLLOWERS, federatedBackupPath);
            b.steps(zone, ZoneStep.PACK_LEADER_CONFIG, federatedBackupPath);
            String config = ZoneCommands.leaderConfigPath(b.context(zone, federatedBackupPath));
            Phase copyConfig = b.phase(zone.name(), "copy-leader-config", "Copy the leader's configuration to the followers");
            zone.servers().stream().filter(s -> !s.name().equals(leader.name()))
                    .forEach(s -> copyConfig.copy(s, zone, leader.name() + ":" + config + " -> " + config + " (sha256 verified)"));
            b.steps(zone, ZoneStep.APPLY_LEADER_CONFIG, federatedBackupPath);
        }
        b.steps(zone, ZoneStep.START_SERVICES, federatedBackupPath);
        b.phase(zone.name(), "check-api", "Check the zone's API and version")
                .api(zone, "one.system.version until it answers " + b.target);
        b.steps(zone, ZoneStep.UPGRADE_NODES, federatedBackupPath);
        b.steps(zone, ZoneStep.SYNC_HOSTS, federatedBackupPath);
    }

    private static ServerProperties leader(ZoneProperties zone, String zoneLeaders) {
        return Leaders.parse(zoneLeaders).leaderOf(zone);
    }

    private static OneVersion parse(String field, String value) {
        try {
            return OneVersion.parse(Objects.requireNonNull(value, field));
        } catch (RuntimeException e) {
            throw new PlanException(field + ": '" + value + "' is not a version like 7.0.0");
        }
    }

    /** SHA-256 of the canonical text, hex. */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    private final class Builder {
        final String upgradeId;
        final String from;
        final String target;
        final String leaders;
        final List<Phase> phases = new ArrayList<>();
        String packageVersions;
        String zoneNodes;
        ProcedureChoice choice;

        Builder(String upgradeId, String from, String target, String leaders) {
            this.upgradeId = upgradeId;
            this.from = from;
            this.target = target;
            this.leaders = leaders;
        }

        Phase phase(String zone, String step, String title) {
            Phase p = new Phase(phases.size() + 1, zone, step, title);
            phases.add(p);
            return p;
        }

        StepContext context(ZoneProperties zone, String federatedBackupPath) {
            return StepContext.onLeader(upgradeId, zone, from, target, leaders).withBackup(federatedBackupPath);
        }

        void steps(ZoneProperties zone, ZoneStep step, String federatedBackupPath) {
            List<List<HostCommand>> groups = steps.plan(new RemoteStepService.Request(upgradeId, zone.id(), step, 1, 1,
                    from, target, leaders, federatedBackupPath, packageVersions,
                    step == ZoneStep.RESTORE_FEDERATED ? MASTER_SHARED_PLACEHOLDER : null, zoneNodes));
            String version = io.onefed.upgrade.steps.PackageVersions.forZone(packageVersions, zone.id());
            Phase p = phase(zone.name(), step.id(), step == ZoneStep.UPGRADE_PACKAGES && version != null
                    ? step.title() + " (exactly " + version + ")" : step.title());
            if ((step == ZoneStep.UPGRADE_NODES || step == ZoneStep.ROLLBACK_NODES) && zone.nodes() == null) {
                p.manual("federation.zones[id=" + zone.id() + "].nodes is not configured: the orchestrator does not"
                        + " touch this zone's hypervisor hosts; upgrade their node packages by hand (guide step 3)");
            }
            for (List<HostCommand> group : groups) {
                p.group++;
                for (HostCommand hc : group) {
                    SshTarget t = hc.target();
                    p.actions.add(new Plan.Action(p.group, "ssh", t.serverName(), t.address(), hc.command().rendered()));
                }
            }
        }

        Plan build(boolean hasZoneDisable) {
            List<Plan.Phase> done = phases.stream().map(p -> new Plan.Phase(p.order, p.zone, p.step, p.title,
                    List.copyOf(p.actions))).toList();
            String text = PlanText.render(upgradeId, from, target, leaders, choice.procedure().name(), choice.reason(), done);
            return new Plan(upgradeId, from, target, leaders, hasZoneDisable, choice.procedure().name(), choice.reason(),
                    choice.expectedSharedDbVersion(), done, text, sha256(text));
        }
    }

    private static final class Phase {
        final int order;
        final String zone;
        final String step;
        final String title;
        final List<Plan.Action> actions = new ArrayList<>();
        int group;

        Phase(int order, String zone, String step, String title) {
            this.order = order;
            this.zone = zone;
            this.step = step;
            this.title = title;
        }

        void api(ZoneProperties z, String call) {
            actions.add(new Plan.Action(++group, "api", "api", z.endpoint(), call));
        }

        void ssh(ServerProperties s, ZoneProperties z, String command) {
            actions.add(new Plan.Action(++group, "ssh", s.name(), SshTarget.of(z, s).address(), command));
        }

        void copy(ServerProperties to, ZoneProperties z, String what) {
            actions.add(new Plan.Action(1, "copy", to.name(), SshTarget.of(z, to).address(), what));
        }

        void manual(String what) {
            actions.add(new Plan.Action(++group, "manual", "operator", "-", what));
        }
    }
}
