package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.Leaders;
import io.onefed.upgrade.federation.ZoneProperties;

/**
 * What a zone step needs to render its commands. {@code upgradeId} is the root process instance's business key
 * (letters, digits and dashes only), which also names the per-upgrade directory on each host.
 */
public record StepContext(String upgradeId, ZoneProperties zone, OneVersion from, OneVersion target,
        /** Server that runs the DB steps: the Raft leader of an HA zone, the only server otherwise. */
        String leaderServer,
        /** Where the master's federated backup lies on this zone's leader (slaves), or null. */
        String federatedBackupPath,
        /**
         * The exact package version of the target release in this zone's repository, found by the preflight and
         * approved with the plan ({@code 7.0.1-1} for apt, {@code 7.0.1-1.el9} for dnf); null: not pinned.
         */
        String packageVersion,
        /**
         * The master's shared tables version ({@code onedb version -v} read on the master after its federated
         * backup): a slave's federated restore must end with exactly this version. Null outside a slave's restore.
         */
        String masterSharedVersion,
        /** The hypervisor hosts to upgrade ({@link NodeHosts} text form), or null. */
        String zoneNodes) {

    public StepContext(String upgradeId, ZoneProperties zone, OneVersion from, OneVersion target, String leaderServer,
            String federatedBackupPath) {
        this(upgradeId, zone, from, target, leaderServer, federatedBackupPath, null, null, null);
    }

    /**
     * The context of a step on {@code zone}'s leader as {@code zoneLeaders} names it (the only server when it names
     * none), versions as the process variables hold them: the one place a context's leader and
     * versions are read from the process variables' form (plan, approval guard, remote steps, backup copies).
     */
    public static StepContext onLeader(String upgradeId, ZoneProperties zone, String fromVersion, String targetVersion,
            String zoneLeaders) {
        return new StepContext(upgradeId, zone, OneVersion.parse(fromVersion), OneVersion.parse(targetVersion),
                Leaders.parse(zoneLeaders).leaderOf(zone).name(), null);
    }

    /** This context with the master's federated backup at {@code path} on the zone's leader (null: none). */
    public StepContext withBackup(String path) {
        return new StepContext(upgradeId, zone, from, target, leaderServer, path, packageVersion, masterSharedVersion,
                zoneNodes);
    }

    public StepContext {
        if (upgradeId == null || !upgradeId.matches("[A-Za-z0-9][A-Za-z0-9-]{0,63}")) {
            throw new IllegalArgumentException("upgradeId must be 1-64 letters, digits or dashes: " + upgradeId);
        }
        if (packageVersion != null && !FrontendPackages.isPackageVersion(packageVersion)) {
            throw new IllegalArgumentException("packageVersion '" + packageVersion.replaceAll("\\p{Cntrl}", "?")
                    + "' is not a package version like 7.0.1-1 (zonePackageVersions, from the preflight)");
        }
    }
}
