package io.onefed.upgrade.plan;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.steps.NodeHosts;
import io.onefed.upgrade.steps.PackageVersions;
import io.onefed.upgrade.steps.RemoteStepService;
import io.onefed.upgrade.steps.StepContext;
import io.onefed.upgrade.steps.ZoneCommands;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The start approval covers a plan (its SHA-256): target and source version, the exact package version of each
 * zone, the zones' leaders, the hypervisor hosts and, through them, every command and backup path. Before a step
 * acts, this guard checks that the values the step is about to use are the approved ones, so no door (a variable
 * written by some API, a process started by hand, a migration) can make a step run what nobody approved.
 * <ol>
 *   <li>the upgrade's own values (kept on the root {@code federation-upgrade} instance) still render a plan whose
 *       hash is {@code approvedPlanHash} (this also catches a changed configuration);</li>
 *   <li>the step's values (copies passed down to {@code zone-upgrade} and {@code remote-step}) equal them; the
 *       hosts may only shrink (an operator's "skip failed hosts"), the backup path is the master's or this zone's
 *       planned copy.</li>
 * </ol>
 */
public class ApprovedPlanGuard {

    /** What the start approval covered, as kept on the root instance. */
    public record Approved(String upgradeId, String fromVersion, String targetVersion, String zoneLeaders,
            boolean hasZoneDisable, String zonePackageVersions, String zoneNodes, boolean forceFederated,
            String approvedPlanHash) {

        /** Without the operator's request for the federated procedure. */
        public Approved(String upgradeId, String fromVersion, String targetVersion, String zoneLeaders,
                boolean hasZoneDisable, String zonePackageVersions, String zoneNodes, String approvedPlanHash) {
            this(upgradeId, fromVersion, targetVersion, zoneLeaders, hasZoneDisable, zonePackageVersions, zoneNodes,
                    false, approvedPlanHash);
        }
    }

    /** A step whose values the approval does not cover: the step must not act. */
    public static class NotApprovedException extends RuntimeException {
        public NotApprovedException(String message) {
            super(message);
        }
    }

    private static final int CACHE_SIZE = 32;

    private final PlanService plans;
    private final Object rendering = new Object();
    private final FederationProperties federation;
    /** Root values already proved to render the approved plan (rendering it costs; the values rarely change). */
    private final Map<String, Boolean> proved = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CACHE_SIZE;
        }
    });

    public ApprovedPlanGuard(PlanService plans, FederationProperties federation) {
        this.plans = plans;
        this.federation = federation;
    }

    /** Before a remote step's first command: the step's request uses the approved values only. */
    public void checkStep(Approved approved, RemoteStepService.Request step) {
        String what = "step " + step.step().id() + " of zone " + step.zoneId();
        proveRoot(approved, what);
        same(what, "upgradeId", approved.upgradeId(), step.upgradeId());
        same(what, "fromVersion", approved.fromVersion(), step.fromVersion());
        same(what, "targetVersion", approved.targetVersion(), step.targetVersion());
        same(what, "zoneLeaders", approved.zoneLeaders(), step.zoneLeaders());
        ZoneProperties zone = federation.byId(step.zoneId());
        same(what, "zonePackageVersions (zone " + zone.id() + ")",
                PackageVersions.forZone(approved.zonePackageVersions(), zone.id()),
                PackageVersions.forZone(step.zonePackageVersions(), zone.id()));
        Set<NodeHosts.Node> approvedHosts = new HashSet<>(NodeHosts.of(approved.zoneNodes(), zone.id()));
        List<String> extra = new ArrayList<>();
        for (NodeHosts.Node n : NodeHosts.of(step.zoneNodes(), zone.id())) {
            if (!approvedHosts.contains(n)) {
                extra.add(n.id() + ":" + n.name());
            }
        }
        if (!extra.isEmpty()) {
            refuse(what, "zoneNodes names hosts the approved plan does not: " + extra);
        }
        if (step.federatedBackupPath() != null && !plannedBackupPaths(approved, zone).contains(step.federatedBackupPath())) {
            refuse(what, "federatedBackupPath is '" + step.federatedBackupPath() + "', the approved plan uses "
                    + plannedBackupPaths(approved, zone));
        }
    }

    /** Before the master's federated backup is copied to a slave: from the planned path, with the approved values. */
    public void checkCopy(Approved approved, int zoneId, String fromVersion, String targetVersion, String zoneLeaders,
            String masterBackupPath) {
        String what = "copy of the federated backup to zone " + zoneId;
        proveRoot(approved, what);
        same(what, "fromVersion", approved.fromVersion(), fromVersion);
        same(what, "targetVersion", approved.targetVersion(), targetVersion);
        same(what, "zoneLeaders", approved.zoneLeaders(), zoneLeaders);
        String planned = masterBackupPath(approved);
        same(what, "federatedBackupPath", planned, masterBackupPath);
    }

    /**
     * {@code CheckApprovedPlan} has just rendered the plan from exactly {@code a}'s values and got
     * {@code renderedHash}: if that is the approved hash, the proof is kept, so the first fan-out's hundred steps do
     * not wait for one more render of the same plan. Another hash proves nothing and is not kept.
     */
    public void rendered(Approved a, String renderedHash) {
        if (a.approvedPlanHash() != null && !a.approvedPlanHash().isBlank() && a.approvedPlanHash().equals(renderedHash)) {
            proved.put(key(a), Boolean.TRUE);
        }
    }

    private static String key(Approved a) {
        return String.join("\u0000", String.valueOf(a.upgradeId()), String.valueOf(a.fromVersion()),
                String.valueOf(a.targetVersion()), String.valueOf(a.zoneLeaders()), String.valueOf(a.hasZoneDisable()),
                String.valueOf(a.zonePackageVersions()), String.valueOf(a.zoneNodes()), String.valueOf(a.forceFederated()),
                a.approvedPlanHash());
    }

    private void proveRoot(Approved a, String what) {
        if (a.approvedPlanHash() == null || a.approvedPlanHash().isBlank()) {
            refuse(what, "no approved plan: steps run only inside an upgrade whose plan was approved at ApproveStart"
                    + " (start upgrades through POST /api/upgrades)");
        }
        String key = key(a);
        if (proved.containsKey(key)) {
            return;
        }
        // One render at a time: when a fan-out's first jobs (a step in every zone) all find the cache cold, one of
        // them renders the plan and the others wait for it and find it proved, instead of every zone's job
        // rendering the whole federation's plan at once (at 50 zones that burst held jobs past their lock).
        synchronized (rendering) {
            if (!proved.containsKey(key)) {
                render(a, what, key);
            }
        }
    }

    private void render(Approved a, String what, String key) {
        String now;
        try {
            now = plans.plan(a.upgradeId(), a.fromVersion(), a.targetVersion(), a.zoneLeaders(), a.hasZoneDisable(),
                    a.zonePackageVersions(), a.zoneNodes(), a.forceFederated()).sha256();
        } catch (RuntimeException e) {
            refuse(what, "the approved plan cannot be rendered again (" + e.getMessage() + ")");
            return;
        }
        if (!now.equals(a.approvedPlanHash())) {
            refuse(what, "the upgrade's values and the configuration now render plan " + PlanText.shortHash(now)
                    + ", not the approved " + PlanText.shortHash(a.approvedPlanHash()) + ": the configuration"
                    + " (federation.yaml) or the upgrade's variables changed after the approval. Put the approved"
                    + " configuration back and retry the job, or abort the upgrade and start a new one");
        }
        proved.put(key, Boolean.TRUE);
    }

    private Set<String> plannedBackupPaths(Approved a, ZoneProperties zone) {
        String master = masterBackupPath(a);
        String copy = ZoneCommands.upgradeDir(context(a, zone)) + "/" + master.substring(master.lastIndexOf('/') + 1);
        return new java.util.TreeSet<>(List.of(master, copy)); // equal when both zones use the same backup-dir
    }

    private String masterBackupPath(Approved a) {
        return ZoneCommands.federatedBackupPath(context(a, federation.master()));
    }

    private static StepContext context(Approved a, ZoneProperties zone) {
        return StepContext.onLeader(a.upgradeId(), zone, a.fromVersion(), a.targetVersion(), a.zoneLeaders());
    }

    private static void same(String what, String field, String approved, String used) {
        if (!Objects.equals(approved, used)) {
            refuse(what, field + " is '" + used + "', the approved plan has '" + approved + "'");
        }
    }

    private static void refuse(String what, String why) {
        throw new NotApprovedException("not approved: " + what + " refused to run: " + why
                + ". Nothing was run. The values an approval covers can only change with a new upgrade and a new"
                + " approval");
    }
}
