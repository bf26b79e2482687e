package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.DatabaseProperties;
import io.onefed.upgrade.federation.OsFamily;
import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.SshTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders the commands of each {@link ZoneStep} for one zone, following OpenNebula's single front-end and HA
 * upgrade guides. The result is a list of groups run in order; the commands of one group run side by side
 * (e.g. HA: followers are stopped first, the leader last). Every argument is quoted by {@link RemoteCommand}.
 * Pure: it reads nothing from the hosts, so the plan (dry run) shows exactly what will run.
 */
public class ZoneCommands {

    /** Front-end packages upgraded in place (minione's front-end set); {@code --only-upgrade} skips absent ones. */
    static final List<String> FRONTEND_PACKAGES = List.of("opennebula", "opennebula-common",
            "opennebula-common-onecfg", "opennebula-tools", "opennebula-libs", "opennebula-rubygems",
            "opennebula-flow", "opennebula-gate", "opennebula-fireedge", "opennebula-guacd");

    /** Started after an upgrade when the host kept no list of what ran before. */
    static final List<String> DEFAULT_START = List.of("opennebula", "opennebula-flow", "opennebula-gate",
            "opennebula-fireedge");

    public List<List<HostCommand>> commands(ZoneStep step, StepContext ctx) {
        ZoneProperties zone = ctx.zone();
        return switch (step) {
            case STOP_SERVICES -> followersThenLeader(ctx, this::stopServices);
            // onedb's SQLite restore ignores sqlite3's exit status (OpenNebula/one src/onedb/onedb_backend.rb,
            // SQLiteBackend#restore, one-6.10/one-7.0): a broken dump "restores" and exits 0. db_versioning is a
            // federated table, so only the shared tables version read back proves the master's tables arrived.
            case RESTORE_FEDERATED -> onLeader(ctx, withDbSecret(zone, RemoteCommand.of(
                    "onedb restore {} -v --federated" + dbOptions(zone) + " && " + SHARED_VERSION_CHECK
                            .replace("@OPTS@", dbOptions(zone)),
                    requireBackup(ctx), SHARED_VERSION_SED, requireMasterShared(ctx), requireMasterShared(ctx))));
            case BACKUP_CONFIG -> allAtOnce(ctx, this::backupConfig);
            case BACKUP_DB -> onLeader(ctx, withDbSecret(zone, RemoteCommand.of(
                    "mkdir -p {} && onedb backup -v -f" + dbOptions(zone) + " {}", upgradeDir(ctx),
                    beforeUpgradeBackupPath(ctx))));
            case SWITCH_REPOSITORY -> allAtOnce(ctx, s -> switchRepository(ctx));
            case UPGRADE_PACKAGES -> leaderThenFollowers(ctx, s -> upgradePackages(ctx));
            // leader only: the HA guide copies the leader's upgraded /etc/one to the followers instead
            // (APPLY_LEADER_CONFIG); a single front-end's only server is its leader
            case UPGRADE_CONFIG -> onLeader(ctx, upgradeConfig());
            // both take a backup of their own first; onedb names it to the second and refuses an existing file,
            // so each gets an explicit file in the upgrade directory (a new attempt gets a new time stamp)
            case UPGRADE_DB -> onLeader(ctx, withDbSecret(zone, RemoteCommand.of("onedb upgrade -v" + dbOptions(zone)
                    + " -b {}-$(date +%Y%m%d%H%M%S)" + backupExtension(zone),
                    upgradeDir(ctx) + "/zone-" + zone.id() + "-before-onedb-upgrade")));
            case CHECK_DB -> onLeader(ctx, withDbSecret(zone, RemoteCommand.of("onedb fsck" + dbOptions(zone)
                    + " -b {}-$(date +%Y%m%d%H%M%S)" + backupExtension(zone),
                    upgradeDir(ctx) + "/zone-" + zone.id() + "-before-onedb-fsck")));
            case DUMP_LEADER_DB -> onLeader(ctx, withDbSecret(zone, RemoteCommand.of(
                    "mkdir -p {} && onedb backup -v -f" + dbOptions(zone) + " {}", upgradeDir(ctx),
                    leaderDumpPath(ctx))));
            // the followers' packages are upgraded already: their restored DB must match their code exactly
            // (onedb version exits 0), else the restore silently failed (SQLite, see RESTORE_FEDERATED)
            case RESTORE_FOLLOWERS -> onFollowers(ctx, withDbSecret(zone, RemoteCommand.of(
                    "onedb restore -f -v" + dbOptions(zone) + " {} && onedb version -v" + dbOptions(zone),
                    leaderDumpPath(ctx))));
            case START_SERVICES -> leaderThenFollowers(ctx, s -> startServices(ctx));
            case SYNC_HOSTS -> onLeader(ctx, syncHosts(ctx));
            case FEDERATED_BACKUP -> onLeader(ctx, withDbSecret(zone, RemoteCommand.of(
                    "mkdir -p {} && onedb backup -v -f --federated" + dbOptions(zone) + " {}", upgradeDir(ctx),
                    federatedBackupPath(ctx))));
            case PACK_LEADER_CONFIG -> onLeader(ctx, packLeaderConfig(ctx));
            case APPLY_LEADER_CONFIG -> onFollowers(ctx, applyLeaderConfig(ctx));
            case UPGRADE_NODES -> NodeCommands.upgradeNodes(ctx);
            case ROLLBACK_STOP_SERVICES -> followersThenLeader(ctx, this::rollbackStop);
            // onedb restore -f loads the full pre-upgrade backup over the zone's database (OpenNebula/one one-7.0:
            // src/onedb/onedb, restore takes FORCE and FEDERATED; src/onedb/onedb.rb OneDB#restore refuses a missing
            // file and a running oned (one_not_running), hence after the stop; onedb_backend.rb MySQLBackend and
            // SQLiteBackend#restore refuse an existing database without -f). SQLite ignores sqlite3's status (see
            // RESTORE_FEDERATED): ROLLBACK_CHECK proves the restore by onedb version matching the previous code.
            case ROLLBACK_RESTORE_DB -> onLeader(ctx, withDbSecret(zone, RemoteCommand.of(
                    "test -f {} || { echo {} >&2; exit 1; }; onedb restore -f -v" + dbOptions(zone) + " {}",
                    beforeUpgradeBackupPath(ctx), "no pre-upgrade backup at " + beforeUpgradeBackupPath(ctx)
                            + " (backup-db): this zone's database cannot be rolled back",
                    beforeUpgradeBackupPath(ctx))));
            // the HA guide's way: followers get the leader's database, here its pre-upgrade backup, copied to the
            // same path by CopyRollbackBackup
            case ROLLBACK_RESTORE_FOLLOWERS -> onFollowers(ctx, withDbSecret(zone, RemoteCommand.of(
                    "onedb restore -f -v" + dbOptions(zone) + " {}", beforeUpgradeBackupPath(ctx))));
            case ROLLBACK_REPOSITORY -> allAtOnce(ctx, this::rollbackRepository);
            // after the packages: a downgrade meets the changed conffiles again (dpkg keeps them and writes
            // .dpkg-dist, rpm .rpmnew), and only a copy put back afterwards is exactly what ran before
            case ROLLBACK_RESTORE_CONFIG -> allAtOnce(ctx, this::rollbackConfig);
            case ROLLBACK_PACKAGES -> leaderThenFollowers(ctx, s -> rollbackPackages(ctx));
            case ROLLBACK_START_SERVICES -> leaderThenFollowers(ctx, s -> startServices(ctx, ctx.from()));
            case ROLLBACK_CHECK -> allAtOnce(ctx, s -> rollbackCheck(ctx));
            case ROLLBACK_NODES -> NodeCommands.rollbackNodes(ctx);
        };
    }

    /**
     * {@code onecfg upgrade}, told apart from its silent no-op: where the release has no {@code upgrade} command
     * (CE 6.x: OpenNebula/one src/onecfg/bin/onecfg loads it from lib/ee, which one-6.10's install.sh does not
     * install) the CLI prints its general help ("## SYNOPSIS") and exits 0 (src/cli/command_parser.rb). That is
     * said plainly in the step's output, as is a missing onecfg: the configuration files were kept and need a
     * manual merge (upgrade guide). A failing upgrade (no migrators, outdated metadata) fails the step.
     */
    private static RemoteCommand upgradeConfig() {
        return RemoteCommand.of("if ! command -v onecfg >/dev/null 2>&1; then echo {}; "
                + "else out=$(onecfg upgrade 2>&1); rc=$?; printf '%s\\n' \"$out\"; [ $rc -eq 0 ] || exit $rc; "
                + "case $out in '## SYNOPSIS'*) echo {};; esac; fi",
                "onecfg is not installed: configuration files were kept; merge changes by hand (upgrade guide)",
                "onecfg has no 'upgrade' command in this edition (it printed its help): configuration files were"
                        + " kept; merge changes by hand (upgrade guide)");
    }

    /** sed script printing the shared tables version of {@code onedb version -v} (OneDB#version in onedb.rb). */
    static final String SHARED_VERSION_SED = "s/^Shared tables version: *//p";

    /**
     * Runs after a federated restore: {@code onedb version -v} (exit 0, 2 or 3 all carry the versions: the
     * slave's code is still the old one) must show the master's shared tables version. Arguments: the sed
     * script, the expected version twice.
     */
    static final String SHARED_VERSION_CHECK = "{ out=$(onedb version -v@OPTS@); rc=$?; printf '%s\\n' \"$out\"; "
            + "case $rc in 0|2|3) ;; *) echo \"onedb version -v exited $rc after the federated restore\" >&2; exit 1;; esac; "
            + "shared=$(printf '%s\\n' \"$out\" | sed -n {} | head -n 1); "
            + "if [ \"$shared\" = {} ]; then echo \"federated restore verified: shared tables version $shared, as on the master\"; "
            + "else echo \"the federated restore did not take: shared tables version is '$shared', the master's is \"{}\""
            + " (onedb's SQLite restore ignores sqlite3's exit status)\" >&2; exit 1; fi; }";

    /** sed script printing FEDERATION/SERVER_ID of an oned.conf. */
    static final String SERVER_ID_SED = "/^FEDERATION *= *\\[/,/\\]/s/^[[:space:]]*SERVER_ID[[:space:]]*=[[:space:]]*"
            + "\\(-\\{0,1\\}[0-9][0-9]*\\).*/\\1/p";

    /** sed script setting FEDERATION/SERVER_ID, completed by the id and a closing slash in the shell. */
    static final String SERVER_ID_SET_SED = "/^FEDERATION *= *\\[/,/\\]/s/^\\([[:space:]]*SERVER_ID[[:space:]]*=[[:space:]]*\\)"
            + "-\\{0,1\\}[0-9][0-9]*/\\1";

    /** The leader's upgraded configuration, packed for the followers (HA guide, "Replicate Database and Configuration"). */
    public static String leaderConfigPath(StepContext ctx) {
        return upgradeDir(ctx) + "/leader-config-zone-" + ctx.zone().id() + ".tar.gz";
    }

    /**
     * Packs the leader's /etc/one and /var/lib/one/remotes/etc after its upgrade into one archive (written to a
     * part file and moved into place, so a retry never leaves half an archive under the final name).
     */
    private RemoteCommand packLeaderConfig(StepContext ctx) {
        String dir = upgradeDir(ctx);
        String stage = dir + "/leader-config.pack";
        String file = leaderConfigPath(ctx);
        String remotesEtc = ctx.zone().paths().var() + "/remotes/etc";
        return RemoteCommand.of("mkdir -p {} && rm -rf {} && mkdir -p {} && cp -a {} {} && "
                        + "{ test ! -d {} || cp -a {} {}; } && tar -C {} -czf {} . && mv -f {} {} && rm -rf {} && echo {}",
                dir, stage, stage, ctx.zone().paths().etc(), stage + "/etc-one",
                remotesEtc, remotesEtc, stage + "/remotes-etc", stage, file + ".part", file + ".part", file, stage,
                "leader configuration packed in " + file);
    }

    /**
     * The HA guide's configuration sync on a follower: the leader's /etc/one and remotes/etc copied over the
     * follower's (rsync -r semantics: files the leader lacks stay), the follower's own FEDERATION/SERVER_ID put
     * back, both trees owned by oneadmin. The follower's SERVER_ID comes from its pre-upgrade copy of
     * /etc/one (BACKUP_CONFIG), so a retry after a half-done run still finds it. A follower whose id equals the
     * leader's, or that has none, fails: its raft state would be wrong (raftstatus reports the conf's id).
     */
    private RemoteCommand applyLeaderConfig(StepContext ctx) {
        String dir = upgradeDir(ctx);
        String stage = dir + "/leader-config.apply";
        String etc = ctx.zone().paths().etc();
        String remotesEtc = ctx.zone().paths().var() + "/remotes/etc";
        String own = dir + "/etc-one/oned.conf";
        return RemoteCommand.of("test -f {} || { echo {} >&2; exit 1; }; "
                        + "id=$(sed -n {} {} | head -n 1); "
                        + "case $id in ''|-*) echo \"this follower's saved oned.conf has no FEDERATION/SERVER_ID of an HA"
                        + " server (found '$id')\" >&2; exit 1;; esac; "
                        + "rm -rf {} && mkdir -p {} && tar -C {} -xzf {} || exit 1; "
                        + "lid=$(sed -n {} {} | head -n 1); "
                        + "if [ \"$lid\" = \"$id\" ]; then echo \"this follower's SERVER_ID $id is the leader's\" >&2; exit 1; fi; "
                        + "cp -a {} {} && { test ! -d {} || { mkdir -p {} && cp -a {} {}; }; } || exit 1; "
                        + "sed -i {}\"$id/\" {} || exit 1; "
                        + "now=$(sed -n {} {} | head -n 1); "
                        + "if [ \"$now\" != \"$id\" ]; then echo \"SERVER_ID is '$now' after the sync, expected $id\" >&2; exit 1; fi; "
                        + "chown -R oneadmin:oneadmin {} && { test ! -d {} || chown -R oneadmin:oneadmin {}; } || exit 1; "
                        + "rm -rf {}; echo \"leader configuration applied; SERVER_ID $id kept\"",
                own, "no pre-upgrade copy of oned.conf at " + own + " (backup-config): cannot tell this follower's SERVER_ID",
                SERVER_ID_SED, own,
                stage, stage, stage, leaderConfigPath(ctx),
                SERVER_ID_SED, stage + "/etc-one/oned.conf",
                stage + "/etc-one/.", etc, stage + "/remotes-etc", remotesEtc, stage + "/remotes-etc/.", remotesEtc,
                SERVER_ID_SET_SED, etc + "/oned.conf",
                SERVER_ID_SED, etc + "/oned.conf",
                etc, remotesEtc, remotesEtc,
                stage);
    }

    /** Per-upgrade directory on every host: backups, the list of stopped units. */
    public static String upgradeDir(StepContext ctx) {
        return ctx.zone().paths().backupDir() + "/" + ctx.upgradeId();
    }

    /** Where the master writes the federated backup (and where slaves receive it: same layout). */
    public static String federatedBackupPath(StepContext ctx) {
        return upgradeDir(ctx) + "/federated-from-zone-" + ctx.zone().id() + backupExtension(ctx.zone());
    }

    /**
     * The zone's own database as it was before anything of the upgrade touched it (taken first in zone-upgrade,
     * before a slave's federated restore): what a rollback restores.
     */
    public static String beforeUpgradeBackupPath(StepContext ctx) {
        return upgradeDir(ctx) + "/zone-" + ctx.zone().id() + "-before-upgrade" + backupExtension(ctx.zone());
    }

    public static String leaderDumpPath(StepContext ctx) {
        return upgradeDir(ctx) + "/leader-dump-zone-" + ctx.zone().id() + backupExtension(ctx.zone());
    }

    /**
     * Stops every OpenNebula unit of the running release that is active, and the configured extra services
     * (Apache/Nginx in front of FireEdge), remembering on the host which ones ran so the start step brings
     * back the same set. Stopping a unit that does not exist fails in systemd, hence the is-active test.
     */
    private RemoteCommand stopServices(StepContext ctx) {
        List<String> units = new ArrayList<>(ctx.from().units());
        units.addAll(ctx.zone().extraServices());
        String dir = upgradeDir(ctx);
        String list = dir + "/stopped-units";
        StringBuilder loop = new StringBuilder("for u in");
        List<Object> args = new ArrayList<>(List.of(dir, list));
        for (String u : units) {
            loop.append(" {}");
            args.add(u);
        }
        loop.append("; do if systemctl is-active --quiet \"$u\"; then systemctl stop \"$u\" || exit 1;"
                + " grep -qx \"$u\" {} || echo \"$u\" >> {}; echo \"stopped $u\"; fi; done");
        args.add(list);
        args.add(list);
        return RemoteCommand.of("mkdir -p {} && touch {} && " + loop, args.toArray());
    }

    /**
     * {@code onehost sync} refuses uid or gid 0 ({@code Cannot run 'onehost sync' as root}, exit 255: OpenNebula/one
     * src/cli/one_helper/onehost_helper.rb, one-6.10 and one-7.0) while the SSH user is root for systemctl and the
     * package manager: only this command runs as oneadmin, through runuser (util-linux), or su where it is missing.
     * {@code --force} only skips the version comparison; OFFLINE hosts are never synced, whatever the options.
     */
    public static RemoteCommand syncHosts() {
        return asOneadmin("onehost sync --force");
    }

    /**
     * Where the zone's hypervisor hosts are upgraded, only the hosts of the node step are synced (by id): a host an
     * operator skipped there may be unreachable, and one host that cannot be synced fails the whole command.
     */
    static RemoteCommand syncHosts(StepContext ctx) {
        if (ctx.zone().nodes() == null || ctx.zoneNodes() == null) {
            return syncHosts();
        }
        List<NodeHosts.Node> hosts = NodeHosts.of(ctx.zoneNodes(), ctx.zone().id());
        if (hosts.isEmpty()) {
            return RemoteCommand.of("echo {}", "no hypervisor host to sync (none listed, or every one skipped)");
        }
        String ids = NodeHosts.idRanges(hosts);
        if (ids.length() > NodeHosts.MAX_ID_LIST_CHARS) {
            // the preflight refuses such a zone; only many scattered skips can get here
            throw new IllegalStateException("zone " + ctx.zone().id() + " (" + ctx.zone().name() + "): the "
                    + hosts.size() + " hosts to sync make an id list of " + ids.length() + " characters (at most "
                    + NodeHosts.MAX_ID_LIST_CHARS + " fit the command line): run 'onehost sync --force <ids>' on the"
                    + " leader by hand in parts, then decide on this step");
        }
        return asOneadmin("onehost sync --force " + ids);
    }

    private static RemoteCommand asOneadmin(String command) {
        return RemoteCommand.of("if command -v runuser >/dev/null 2>&1; then runuser -u oneadmin -- " + command + ";"
                + " else su oneadmin -s /bin/sh -c {}; fi", command);
    }

    private RemoteCommand startServices(StepContext ctx) {
        return startServices(ctx, ctx.target());
    }

    /** Starts the units stop-services recorded, those {@code release} ships (and the extra services). */
    private RemoteCommand startServices(StepContext ctx, OneVersion release) {
        List<String> allowed = new ArrayList<>(release.units());
        allowed.addAll(ctx.zone().extraServices());
        String list = upgradeDir(ctx) + "/stopped-units";
        String defaults = String.join(" ", DEFAULT_START);
        // opennebula (oned) first: the other services talk to it
        return RemoteCommand.of("systemctl daemon-reload && systemctl start opennebula && "
                + "if [ -s {} ]; then units=$(cat {}); else units={}; fi && "
                + "for u in $units; do case {} in *\" $u \"*) if [ \"$u\" != opennebula ]; then "
                + "systemctl start \"$u\" || exit 1; echo \"started $u\"; fi;; esac; done",
                list, list, defaults, " " + String.join(" ", allowed) + " ");
    }

    /** The repository definition in use before the upgrade, saved by backup-config (absent: the host had none). */
    public static String savedRepositoryPath(StepContext ctx) {
        return upgradeDir(ctx) + "/repository-before-upgrade";
    }

    /** The installed front-end packages and their exact versions before the upgrade, one {@code pkg=version} line each. */
    public static String savedPackagesPath(StepContext ctx) {
        return upgradeDir(ctx) + "/packages-before-upgrade";
    }

    /**
     * Saves, on every server before the zone's first change, what a rollback puts back: /etc/one, remotes/etc,
     * the repository definition in use and the exact versions of the installed OpenNebula packages (dpkg-query or
     * rpm, as {@code pkg=version} lines: apt's and, with '-' for '=', dnf's exact spec). Kept on the host beside the
     * pre-upgrade database backup: the rollback reads them where it installs them, each server its own, and they
     * outlive the upgrade's process instance (an aborted upgrade can be rolled back later). The stop step's
     * {@code stopped-units} in the same directory lists the units that ran. Each file is written once (test -e),
     * through a part file, so a second attempt never records the half-upgraded state.
     */
    private RemoteCommand backupConfig(ServerProperties server, StepContext ctx) {
        String etc = ctx.zone().paths().etc();
        String remotesEtc = ctx.zone().paths().var() + "/remotes/etc";
        String dir = upgradeDir(ctx);
        OsFamily family = osFamily(ctx.zone());
        String repo = repositoryFile(ctx.zone(), family);
        String saved = savedRepositoryPath(ctx);
        String pkgs = savedPackagesPath(ctx);
        String query = FrontendPackages.installedVersionsQuery(family.packageManager(), FrontendPackages.known());
        // test -e keeps a second attempt from nesting a copy inside the first one
        return RemoteCommand.of("mkdir -p {} && { test -e {} || cp -ra {} {}; } && "
                        + "{ test ! -d {} || test -e {} || cp -ra {} {}; } && "
                        + "{ test -e {} || test -e {} || if test -f {}; then cp -a {} {}; else touch {}; fi; } && "
                        + "{ test -e {} || { " + query + " > {} && grep -q '^opennebula=' {} && mv -f {} {}; }; } && "
                        + "echo {} && cat {}",
                dir, dir + "/etc-one", etc, dir + "/etc-one",
                remotesEtc, dir + "/remotes-etc", remotesEtc, dir + "/remotes-etc",
                saved, saved + ".absent", repo, repo, saved, saved + ".absent",
                pkgs, pkgs + ".part", pkgs + ".part", pkgs + ".part", pkgs,
                "configuration, repository definition and package versions saved in " + dir, pkgs);
    }

    /**
     * Stops every active OpenNebula unit of either release and the configured extra services, recording nothing:
     * the units to start again are those stop-services recorded before the upgrade.
     */
    private RemoteCommand rollbackStop(StepContext ctx) {
        java.util.Set<String> units = new java.util.LinkedHashSet<>(ctx.target().units());
        units.addAll(ctx.from().units());
        units.addAll(ctx.zone().extraServices());
        StringBuilder loop = new StringBuilder("for u in");
        List<Object> args = new ArrayList<>();
        for (String u : units) {
            loop.append(" {}");
            args.add(u);
        }
        loop.append("; do if systemctl is-active --quiet \"$u\"; then systemctl stop \"$u\" || exit 1;"
                + " echo \"stopped $u\"; fi; done");
        return RemoteCommand.of(loop.toString(), args.toArray());
    }

    /**
     * Puts back the repository definition backup-config saved (or removes the one the upgrade wrote where there
     * was none), so the package step installs from the previous release's repository.
     */
    private RemoteCommand rollbackRepository(ServerProperties server, StepContext ctx) {
        String dir = upgradeDir(ctx);
        String repo = repositoryFile(ctx.zone(), osFamily(ctx.zone()));
        String saved = savedRepositoryPath(ctx);
        return RemoteCommand.of("if test -f {}; then cp -a {} {} && echo {}; elif test -e {}; then rm -f {} && echo {}; "
                        + "else echo {} >&2; exit 1; fi",
                saved, saved, repo, "repository definition " + repo + " put back", saved + ".absent", repo,
                "repository definition " + repo + " removed (there was none before the upgrade)",
                "no saved repository definition in " + dir + " (backup-config): cannot roll back");
    }

    /**
     * Puts back /etc/one and remotes/etc as backup-config saved them, exact copies: a staged copy swapped in, so
     * files the upgrade or the downgrade added (.dpkg-dist, .rpmnew) go and a retry after a crash starts over.
     */
    private RemoteCommand rollbackConfig(ServerProperties server, StepContext ctx) {
        String etc = ctx.zone().paths().etc();
        String remotesEtc = ctx.zone().paths().var() + "/remotes/etc";
        String dir = upgradeDir(ctx);
        return RemoteCommand.of("test -d {} || { echo {} >&2; exit 1; }; "
                        + "rm -rf {} && cp -a {} {} && rm -rf {} && mv {} {} && echo {} && "
                        + "{ test ! -d {} || { rm -rf {} && cp -a {} {} && rm -rf {} && mv {} {} && echo {}; }; }",
                dir + "/etc-one", "no pre-upgrade copy of " + etc + " in " + dir + " (backup-config): cannot roll back",
                etc + ".rollback", dir + "/etc-one", etc + ".rollback", etc, etc + ".rollback", etc, etc + " put back",
                dir + "/remotes-etc", remotesEtc + ".rollback", dir + "/remotes-etc", remotesEtc + ".rollback", remotesEtc,
                remotesEtc + ".rollback", remotesEtc, remotesEtc + " put back");
    }

    /**
     * Installs exactly the package versions backup-config recorded, from the repository definition put back
     * before: apt {@code install --allow-downgrades pkg=version} (apt-get(8): without it apt refuses to downgrade
     * under -y), keeping the restored configuration files (--force-confold); dnf {@code install pkg-version}, which
     * downgrades an installed package to that version (dnf(8) install). Every recorded line is checked to be a
     * package spec before it reaches the package manager.
     */
    private RemoteCommand rollbackPackages(StepContext ctx) {
        String pkgs = savedPackagesPath(ctx);
        String check = "test -s {} || { echo {} >&2; exit 1; }; "
                + "if grep -qvx '[a-z0-9][a-z0-9.+-]*=[0-9][0-9A-Za-z.+~:_-]*' {}; then echo {} >&2; exit 1; fi; "
                + "specs=$(cat {}) && ";
        List<Object> args = new ArrayList<>(List.of(pkgs, "no record of the previous package versions at " + pkgs
                + " (backup-config): install them by hand", pkgs, pkgs + " holds a line that is not pkg=version", pkgs));
        OsFamily.PackageManager pm = osFamily(ctx.zone()).packageManager();
        String added = addedPackages(pm, pkgs, args);
        return switch (pm) {
            case APT -> RemoteCommand.of(check + "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y"
                    + " --allow-downgrades -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $specs"
                    + " && " + added + "DEBIAN_FRONTEND=noninteractive apt-get remove -y $added; fi"
                    + " && dpkg-query -W -f='${Version}\\n' opennebula", args.toArray());
            case DNF -> RemoteCommand.of(check + "dnf -y install $(printf '%s\\n' $specs | sed 's/=/-/')"
                    + " && " + added + "dnf -y remove $added; fi"
                    + " && rpm -q --qf '%{VERSION}\\n' opennebula", args.toArray());
        };
    }

    /**
     * After the downgrade, the OpenNebula packages installed now that the record of {@code pkgs} lacks: those the
     * target added (7.0's opennebula-migration, FrontendPackages) go, so the zone holds exactly its previous set.
     * Computed on the host from the same query backup-config recorded with, so a retry finds nothing left to remove
     * and runs no remove; the package manager is called only with installed names (apt refuses a name it does not
     * know). apt may already have removed one whose dependencies the downgrade broke (apt-get install -y removes
     * non-essential packages to satisfy dependencies): then it is not listed. The shell text ends in {@code if ...;
     * then } for the caller's remove command and {@code fi}.
     */
    private static String addedPackages(OsFamily.PackageManager pm, String pkgs, List<Object> args) {
        args.add(pkgs);
        args.add("no OpenNebula package to remove: the upgrade added none");
        return "keep=\" $(sed 's/=.*//' {} | tr '\\n' ' ') \" && added=$("
                + FrontendPackages.installedVersionsQuery(pm, FrontendPackages.known())
                + " | sed 's/=.*//' | while read -r p; do case \"$keep\" in *\" $p \"*) ;; *) echo \"$p\" ;; esac; done)"
                + " && if [ -z \"$added\" ]; then echo {}; else echo \"removing what the upgrade added:\" $added && ";
    }

    /**
     * The rollback's proof: the server package is the previous release and {@code onedb version -v} exits 0, i.e.
     * the database is exactly what the previous code expects (OneDB#version in src/onedb/onedb.rb: 1, 2 or 3 mean
     * a mismatch), which a restore that silently failed or a leftover upgraded DB cannot give.
     */
    private RemoteCommand rollbackCheck(StepContext ctx) {
        String query = osFamily(ctx.zone()).packageManager() == OsFamily.PackageManager.APT
                ? "dpkg-query -W -f='${Version}' opennebula" : "rpm -q --qf '%{VERSION}' opennebula";
        return withDbSecret(ctx.zone(), RemoteCommand.of("v=$(" + query + ") || exit 1; v=${v#*:}; v=${v%%-*}; "
                + "if [ \"$v\" != {} ]; then echo \"opennebula $v is installed, expected \"{} >&2; exit 1; fi; "
                + "echo \"opennebula $v installed\"; onedb version -v" + dbOptions(ctx.zone()),
                ctx.from().toString(), ctx.from().toString()));
    }

    private RemoteCommand switchRepository(StepContext ctx) {
        ZoneProperties zone = ctx.zone();
        OsFamily family = osFamily(zone);
        String file = repositoryFile(zone, family);
        return RemoteCommand.allOf(List.of(repositoryDefinition(zone, family, file, FrontendPackages.keyring(zone),
                ctx.target().series()), RemoteCommand.of("cat {}", file)));
    }

    /**
     * The target series' repository definition written to {@code file}: the zone's own line when configured,
     * else OpenNebula's (front-ends and, with their own file, the zone's hypervisor hosts share it).
     */
    static RemoteCommand repositoryDefinition(ZoneProperties zone, OsFamily family, String file, String keyring,
            String series) {
        if (zone.repository() != null && !zone.repository().isBlank()) {
            String line = zone.repository().replace("{version}", series);
            String content = family.packageManager() == OsFamily.PackageManager.APT ? line
                    : "[opennebula]\nname=OpenNebula " + series + "\nbaseurl=" + line + "\nenabled=1\ngpgcheck=1";
            return RemoteCommand.of("printf '%s\\n' {} > {}", content, file);
        }
        return switch (family) {
            // the line's signed-by keyring is missing on hosts set up with older instructions (apt-key,
            // trusted.gpg.d, repo.key): install the current key first, as the 7.0 repository docs do
            // (OpenNebula/website one-7.0, opennebula_repository_configuration.md: wget repo2.key | gpg --dearmor
            // --yes --output /etc/apt/keyrings/opennebula.gpg); through a file so a failed download leaves no key
            case DEBIAN, UBUNTU -> RemoteCommand.of("{ test -s {} || { mkdir -p {} && wget -q -O {} {}"
                            + " && gpg --dearmor --yes --output {} {} && rm -f {} && echo {}; }; }"
                            + " && . /etc/os-release && printf {} \"$VERSION_ID\" > {}",
                    keyring, Path.of(keyring).getParent().toString(), keyring + ".asc", FrontendPackages.KEY_URL,
                    keyring, keyring + ".asc", keyring + ".asc", "installed OpenNebula's repository key " + keyring,
                    "deb [signed-by=" + keyring + "] https://downloads.opennebula.io/repo/" + series
                            + "/" + (family == OsFamily.DEBIAN ? "Debian" : "Ubuntu") + "/%s stable opennebula\\n",
                    file);
            case RHEL, ALMALINUX -> RemoteCommand.of("printf '%s\\n' {} > {}",
                    "[opennebula]\nname=OpenNebula " + series + "\nbaseurl=https://downloads.opennebula.io/repo/"
                            + series + "/" + (family == OsFamily.RHEL ? "RedHat" : "AlmaLinux")
                            + "/$releasever/$basearch\nenabled=1\ngpgkey=https://downloads.opennebula.io/repo/repo2.key"
                            + "\ngpgcheck=1\nrepo_gpgcheck=1",
                    file);
        };
    }

    /**
     * Installs the target series' front-end packages as its single front-end guide lists them, in its order
     * ({@link FrontendPackages}), at the exact version the preflight found and the plan shows. The server and
     * the migration package are installed in any case ({@code onedb upgrade} needs the migrators); the other
     * guide packages and the rest of {@link #FRONTEND_PACKAGES} only where installed, so they stay at the
     * version of the server. Packages the target series no longer ships (e.g. opennebula-sunstone in 7.0) are
     * not named: pinning them would fail, and the preflight reports them.
     * apt: every federation front-end has a changed oned.conf, so a cross-series upgrade meets dpkg's conffile
     * prompt, which fails without a terminal; --force-confdef --force-confold keep the current files (dpkg(1))
     * for onecfg upgrade to migrate. dnf keeps changed %config files and writes .rpmnew: nothing to answer.
     */
    private RemoteCommand upgradePackages(StepContext ctx) {
        OsFamily family = osFamily(ctx.zone());
        OsFamily.PackageManager pm = family.packageManager();
        OneVersion target = ctx.target();
        String v = ctx.packageVersion();
        List<String> order = new ArrayList<>(FrontendPackages.guideList(target));
        boolean separate = FrontendPackages.migrationInstalledAfter(target);
        String migration = FrontendPackages.migrationPackage(target);
        FRONTEND_PACKAGES.stream().filter(p -> !order.contains(p)).forEach(order::add);
        // one query for which of them are installed (it exits 1 when some are not: that is the answer, not a failure)
        String optional = String.join(" ", order.stream().filter(p -> !FrontendPackages.required(p, target)).toList());
        StringBuilder pick = new StringBuilder(pm == OsFamily.PackageManager.APT
                ? "{ ins=$(dpkg-query -W -f='${Package} ${Status}\\n' " + optional + " 2>/dev/null || true); }"
                        + " && inst() { printf '%s\\n' \"$ins\" | grep -qx \"$1 install ok installed\"; } && pk=''"
                : "{ ins=$(rpm -q --qf '%{NAME} installed\\n' " + optional + " 2>/dev/null | grep ' installed$' || true); }"
                        + " && inst() { printf '%s\\n' \"$ins\" | grep -qx \"$1 installed\"; } && pk=''");
        for (String p : order) {
            String spec = FrontendPackages.pinned(p, v, pm);
            if (FrontendPackages.required(p, target)) {
                pick.append(" && pk=\"$pk ").append(spec).append('"');
            } else {
                pick.append(" && { if inst ").append(p).append("; then pk=\"$pk ").append(spec).append("\"; fi; }");
            }
        }
        String migrationSpec = FrontendPackages.pinned(migration, v, pm);
        return switch (pm) {
            case APT -> {
                String install = "DEBIAN_FRONTEND=noninteractive apt-get install -y"
                        + " -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold";
                yield RemoteCommand.of("apt-get update && " + pick + " && " + install + " $pk"
                        + (separate ? " && " + install + " " + migrationSpec : "")
                        + " && dpkg-query -W -f='${Version}\\n' opennebula");
            }
            case DNF -> RemoteCommand.of(pick + " && dnf -y install $pk"
                    + (separate ? " && dnf -y install " + migrationSpec : "")
                    + " && rpm -q --qf '%{VERSION}\\n' opennebula");
        };
    }

    /** Where the package repository definition lives, next to the zone's etc directory (so a test root works). */
    public static String repositoryFile(ZoneProperties zone, OsFamily family) {
        Path etcRoot = Path.of(zone.paths().etc()).getParent();
        String base = etcRoot == null ? "/etc" : etcRoot.toString();
        return family.packageManager() == OsFamily.PackageManager.APT
                ? base + "/apt/sources.list.d/opennebula.list"
                : base + "/yum.repos.d/opennebula.repo";
    }

    static OsFamily osFamily(ZoneProperties zone) {
        return OsFamily.parse(zone.osFamily()).orElseThrow(() -> new IllegalArgumentException(
                "federation.zones[id=" + zone.id() + "].os-family '" + zone.osFamily() + "' is not one of "
                        + OsFamily.accepted()));
    }

    /** onedb connection options; none for SQLite or an unset backend (onedb then reads DB from oned.conf). */
    static String dbOptions(ZoneProperties zone) {
        DatabaseProperties db = zone.database();
        if (db == null || db.backend() == null || !"mysql".equalsIgnoreCase(db.backend())) {
            return "";
        }
        StringBuilder o = new StringBuilder(" -t mysql");
        if (db.host() != null) {
            o.append(" -S ").append(io.onefed.upgrade.ssh.ShellQuoting.quote(db.host()));
        }
        if (db.port() != null) {
            o.append(" -P ").append(db.port());
        }
        if (db.user() != null) {
            o.append(" -u ").append(io.onefed.upgrade.ssh.ShellQuoting.quote(db.user()));
        }
        if (db.name() != null) {
            o.append(" -d ").append(io.onefed.upgrade.ssh.ShellQuoting.quote(db.name()));
        }
        return o.toString();
    }

    /** MySQL's password reaches onedb as ONE_DB_PASSWORD over stdin, never as {@code -p} on the command line. */
    static RemoteCommand withDbSecret(ZoneProperties zone, RemoteCommand command) {
        DatabaseProperties db = zone.database();
        if (db != null && "mysql".equalsIgnoreCase(db.backend()) && db.password() != null && !db.password().isEmpty()) {
            return command.withSecretEnv("ONE_DB_PASSWORD", db.password());
        }
        return command;
    }

    static String backupExtension(ZoneProperties zone) {
        DatabaseProperties db = zone.database();
        return db != null && "mysql".equalsIgnoreCase(db.backend()) ? ".sql" : ".bck";
    }

    private static String requireMasterShared(StepContext ctx) {
        if (ctx.masterSharedVersion() == null || ctx.masterSharedVersion().isBlank()) {
            throw new IllegalStateException("masterSharedDbVersion: the master's shared tables version is unknown for zone "
                    + ctx.zone().id() + "; it is read on the master after its federated backup (ChecksumBackup)");
        }
        return ctx.masterSharedVersion();
    }

    private static String requireBackup(StepContext ctx) {
        if (ctx.federatedBackupPath() == null) {
            throw new IllegalStateException("no federated backup path for zone " + ctx.zone().id());
        }
        return ctx.federatedBackupPath();
    }

    // --- how a step spreads over the zone's servers -------------------------------------------------------

    private interface PerServer {
        RemoteCommand render(ServerProperties server, StepContext ctx);
    }

    private interface Same {
        RemoteCommand render(ServerProperties server);
    }

    private List<List<HostCommand>> allAtOnce(StepContext ctx, PerServer f) {
        return List.of(ctx.zone().servers().stream().map(s -> host(ctx, s, f.render(s, ctx))).toList());
    }

    private List<List<HostCommand>> allAtOnce(StepContext ctx, Same f) {
        return allAtOnce(ctx, (s, c) -> f.render(s));
    }

    private List<List<HostCommand>> onLeader(StepContext ctx, RemoteCommand command) {
        return List.of(List.of(host(ctx, leader(ctx), command)));
    }

    private List<List<HostCommand>> onFollowers(StepContext ctx, RemoteCommand command) {
        List<HostCommand> followers = followers(ctx).stream().map(s -> host(ctx, s, command)).toList();
        return followers.isEmpty() ? List.of() : List.of(followers);
    }

    private List<List<HostCommand>> followersThenLeader(StepContext ctx, java.util.function.Function<StepContext, RemoteCommand> f) {
        RemoteCommand c = f.apply(ctx);
        List<List<HostCommand>> groups = new ArrayList<>(onFollowers(ctx, c));
        groups.addAll(onLeader(ctx, c));
        return groups;
    }

    private List<List<HostCommand>> leaderThenFollowers(StepContext ctx, Same f) {
        List<List<HostCommand>> groups = new ArrayList<>();
        groups.add(List.of(host(ctx, leader(ctx), f.render(leader(ctx)))));
        List<HostCommand> followers = followers(ctx).stream().map(s -> host(ctx, s, f.render(s))).toList();
        if (!followers.isEmpty()) {
            groups.add(followers);
        }
        return groups;
    }

    static ServerProperties leader(StepContext ctx) {
        List<ServerProperties> servers = ctx.zone().servers();
        if (ctx.leaderServer() == null) {
            return servers.get(0);
        }
        return servers.stream().filter(s -> s.name().equals(ctx.leaderServer())).findFirst()
                .orElseThrow(() -> new IllegalStateException("leader '" + ctx.leaderServer()
                        + "' is not a configured server of zone " + ctx.zone().id()));
    }

    static List<ServerProperties> followers(StepContext ctx) {
        ServerProperties leader = leader(ctx);
        return ctx.zone().servers().stream().filter(s -> s != leader).toList();
    }

    private static HostCommand host(StepContext ctx, ServerProperties server, RemoteCommand command) {
        return new HostCommand(SshTarget.of(ctx.zone(), server), command);
    }

    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
