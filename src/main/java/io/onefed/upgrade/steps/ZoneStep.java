package io.onefed.upgrade.steps;

/**
 * The remote steps of the guide that change a front-end. Each runs exactly once per (upgrade, zone, server,
 * attempt) through the detached runs. The BPMN names them by {@link #id()} in the {@code step} input of the
 * {@code remote-step} call activities.
 */
public enum ZoneStep {
    STOP_SERVICES("stop-services", "Stop OpenNebula services"),
    RESTORE_FEDERATED("restore-federated", "Restore federated tables (onedb restore --federated)"),
    BACKUP_CONFIG("backup-config", "Back up /etc/one and remotes/etc"),
    BACKUP_DB("backup-db", "Back up the zone database (onedb backup)"),
    SWITCH_REPOSITORY("switch-repository", "Switch the package repository to the target release"),
    UPGRADE_PACKAGES("upgrade-packages", "Upgrade OpenNebula packages"),
    UPGRADE_CONFIG("upgrade-config", "Upgrade configuration files (onecfg upgrade)"),
    UPGRADE_DB("upgrade-db", "Upgrade the database (onedb upgrade -v)"),
    CHECK_DB("check-db", "Check the database (onedb fsck)"),
    DUMP_LEADER_DB("dump-leader-db", "Dump the leader's upgraded database (HA)"),
    RESTORE_FOLLOWERS("restore-followers", "Restore followers from the leader's dump (HA)"),
    START_SERVICES("start-services", "Start OpenNebula services"),
    SYNC_HOSTS("sync-hosts", "Sync hypervisor hosts (onehost sync --force)"),
    FEDERATED_BACKUP("federated-backup", "Back up federated tables (onedb backup -v --federated)"),
    PACK_LEADER_CONFIG("pack-leader-config", "Pack the leader's /etc/one and remotes/etc (HA)"),
    APPLY_LEADER_CONFIG("apply-leader-config", "Apply the leader's configuration on the followers, keeping their SERVER_ID (HA)"),
    /** On the zone's hypervisor hosts (not its front-ends): see NodeCommands. */
    UPGRADE_NODES("upgrade-nodes", "Upgrade the hypervisor hosts' node packages and restart libvirtd"),
    // the zone's rollback (zone-rollback.bpmn): back to what backup-config, backup-db and stop-services recorded
    ROLLBACK_STOP_SERVICES("rollback-stop-services", "Stop OpenNebula services for the rollback"),
    ROLLBACK_RESTORE_DB("rollback-restore-db", "Restore the pre-upgrade database (onedb restore -f)"),
    ROLLBACK_RESTORE_FOLLOWERS("rollback-restore-followers", "Restore the followers from the pre-upgrade database (HA)"),
    ROLLBACK_REPOSITORY("rollback-repository", "Put back the previous repository definition"),
    ROLLBACK_RESTORE_CONFIG("rollback-restore-config", "Put back /etc/one and remotes/etc"),
    ROLLBACK_PACKAGES("rollback-packages", "Install the previous package versions"),
    ROLLBACK_START_SERVICES("rollback-start-services", "Start the units that ran before the upgrade"),
    ROLLBACK_CHECK("rollback-check", "Check the previous version and onedb version"),
    /** On the zone's hypervisor hosts: those the upgrade changed go back (see NodeCommands). */
    ROLLBACK_NODES("rollback-nodes", "Put the hypervisor hosts back on their previous node packages");

    private final String id;
    private final String title;

    ZoneStep(String id, String title) {
        this.id = id;
        this.title = title;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    public static ZoneStep byId(String id) {
        for (ZoneStep s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown zone step '" + id + "'");
    }
}
