package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.SshTarget;

/**
 * The backup steps of an upgrade, each one call for its delegate: checksum the master's federated backup, carry
 * it to a slave's leader, spread an HA leader's dump or packed configuration to its followers. Copies are
 * checksum verified ({@link BackupTransfer}), so running a step again is harmless.
 */
public class BackupCopies {

    /** The master's federated backup: where it lies on the master's leader, its digest, the shared tables version. */
    public record FederatedBackup(String path, String sha256, String masterSharedDbVersion) {
    }

    private final BackupTransfer transfer;
    private final DbVersionReader dbVersions;

    public BackupCopies(BackupTransfer transfer, DbVersionReader dbVersions) {
        this.transfer = transfer;
        this.dbVersions = dbVersions;
    }

    /** {@code master} is {@code ctx}'s zone; the shared version is what every slave's federated restore must end with. */
    public FederatedBackup checksumFederated(StepContext master, String zoneLeaders) {
        String path = ZoneCommands.federatedBackupPath(master);
        SshTarget leader = BackupTransfer.leaderTarget(master.zone(), zoneLeaders);
        return new FederatedBackup(path, transfer.sha256(leader, path), dbVersions.sharedVersion(master.zone(), leader));
    }

    /** Copies the master's backup into the slave's own upgrade directory; returns the path there. */
    public String federatedToSlave(ZoneProperties master, StepContext slave, String zoneLeaders, String masterPath,
            String sha256) {
        String slavePath = ZoneCommands.upgradeDir(slave) + "/" + masterPath.substring(masterPath.lastIndexOf('/') + 1);
        return transfer.copy(BackupTransfer.leaderTarget(master, zoneLeaders), masterPath,
                BackupTransfer.leaderTarget(slave.zone(), zoneLeaders), slavePath, sha256).toPath();
    }

    /** An HA zone's leader dump ({@link ZoneCommands#leaderDumpPath}) to its followers; returns its digest. */
    public String leaderDumpToFollowers(String upgradeId, ZoneProperties zone, String from, String target,
            String zoneLeaders) {
        StepContext ctx = StepContext.onLeader(upgradeId, zone, from, target, zoneLeaders);
        return leaderFileToFollowers(zone, zoneLeaders, ZoneCommands.leaderDumpPath(ctx));
    }

    /** An HA zone's packed leader configuration ({@link ZoneCommands#leaderConfigPath}) to its followers. */
    public String leaderConfigToFollowers(String upgradeId, ZoneProperties zone, String from, String target,
            String zoneLeaders) {
        StepContext ctx = StepContext.onLeader(upgradeId, zone, from, target, zoneLeaders);
        return leaderFileToFollowers(zone, zoneLeaders, ZoneCommands.leaderConfigPath(ctx));
    }

    /** A zone's pre-upgrade database backup ({@link ZoneCommands#beforeUpgradeBackupPath}) to its followers (rollback). */
    public String rollbackBackupToFollowers(String upgradeId, ZoneProperties zone, String from, String target,
            String zoneLeaders) {
        StepContext ctx = StepContext.onLeader(upgradeId, zone, from, target, zoneLeaders);
        return leaderFileToFollowers(zone, zoneLeaders, ZoneCommands.beforeUpgradeBackupPath(ctx));
    }

    /** Copies {@code path} from the zone's leader to the same path on each other server; returns its digest. */
    public String leaderFileToFollowers(ZoneProperties zone, String zoneLeaders, String path) {
        SshTarget leader = BackupTransfer.leaderTarget(zone, zoneLeaders);
        String sha = transfer.sha256(leader, path);
        for (ServerProperties server : zone.servers()) {
            if (!server.name().equals(leader.serverName())) {
                transfer.copy(leader, path, SshTarget.of(zone, server), path, sha);
            }
        }
        return sha;
    }
}
