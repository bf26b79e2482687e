package io.onefed.upgrade.upgrade;

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
            case RESTORE_FEDERATED -> onLeader(ctx, withDbSecret(zone, RemoteCommand.of(
                    "onedb restore {} -v --federated" + dbOptions(zone), requireBackup(ctx))));
            case BACKUP_CONFIG -> allAtOnce(ctx, this::backupConfig);
            case BACKUP_DB -> onLeader(ctx, withDbSecret(zone, RemoteCommand.of(
                    "mkdir -p {} && onedb backup -v -f" + dbOptions(zone) + " {}", upgradeDir(ctx),
                    upgradeDir(ctx) + "/zone-" + zone.id() + "-before-upgrade" + backupExtension(zone))));
            case SWITCH_REPOSITORY -> allAtOnce(ctx, s -> switchRepository(ctx));
            case UPGRADE_PACKAGES -> leaderThenFollowers(ctx, s -> upgradePackages(ctx));
            case UPGRADE_CONFIG -> allAtOnce(ctx, s -> RemoteCommand.of(
                    "if command -v onecfg >/dev/null 2>&1; then onecfg upgrade; else echo {}; fi",
                    "onecfg is not installed: configuration files were kept; merge changes by hand (upgrade guide)"));
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
            case RESTORE_FOLLOWERS -> onFollowers(ctx, withDbSecret(zone, RemoteCommand.of(
                    "onedb restore -f -v" + dbOptions(zone) + " {}", leaderDumpPath(ctx))));
            case START_SERVICES -> leaderThenFollowers(ctx, s -> startServices(ctx));
            case SYNC_HOSTS -> onLeader(ctx, syncHosts(ctx));
            case FEDERATED_BACKUP -> onLeader(ctx, withDbSecret(zone, RemoteCommand.of(
                    "mkdir -p {} && onedb backup -v -f --federated" + dbOptions(zone) + " {}", upgradeDir(ctx),
                    federatedBackupPath(ctx))));
            case UPGRADE_NODES -> NodeCommands.upgradeNodes(ctx);
        };
    }

    /** Per-upgrade directory on every host: backups, the list of stopped units. */
    public static String upgradeDir(StepContext ctx) {
        return ctx.zone().paths().backupDir() + "/" + ctx.upgradeId();
    }

    /** Where the master writes the federated backup (and where slaves receive it: same layout). */
    public static String federatedBackupPath(StepContext ctx) {
        return upgradeDir(ctx) + "/federated-from-zone-" + ctx.zone().id() + backupExtension(ctx.zone());
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
        return asOneadmin("onehost sync --force " + String.join(",", hosts.stream().map(h -> Integer.toString(h.id())).toList()));
    }

    private static RemoteCommand asOneadmin(String command) {
        return RemoteCommand.of("if command -v runuser >/dev/null 2>&1; then runuser -u oneadmin -- " + command + ";"
                + " else su oneadmin -s /bin/sh -c {}; fi", command);
    }

    private RemoteCommand startServices(StepContext ctx) {
        List<String> allowed = new ArrayList<>(ctx.target().units());
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

    private RemoteCommand backupConfig(ServerProperties server, StepContext ctx) {
        String etc = ctx.zone().paths().etc();
        String remotesEtc = ctx.zone().paths().var() + "/remotes/etc";
        String dir = upgradeDir(ctx);
        // test -e keeps a second attempt from nesting a copy inside the first one
        return RemoteCommand.of("mkdir -p {} && { test -e {} || cp -ra {} {}; } && "
                        + "{ test ! -d {} || test -e {} || cp -ra {} {}; } && echo {}",
                dir, dir + "/etc-one", etc, dir + "/etc-one",
                remotesEtc, dir + "/remotes-etc", remotesEtc, dir + "/remotes-etc",
                "configuration saved in " + dir);
    }

    private RemoteCommand switchRepository(StepContext ctx) {
        ZoneProperties zone = ctx.zone();
        OsFamily family = osFamily(zone);
        String file = repositoryFile(zone, family);
        String series = ctx.target().series();
        if (zone.repository() != null && !zone.repository().isBlank()) {
            String line = zone.repository().replace("{version}", series);
            String content = family.packageManager() == OsFamily.PackageManager.APT ? line
                    : "[opennebula]\nname=OpenNebula " + series + "\nbaseurl=" + line + "\nenabled=1\ngpgcheck=1";
            return RemoteCommand.of("printf '%s\\n' {} > {} && cat {}", content, file, file);
        }
        return switch (family) {
            case DEBIAN, UBUNTU -> RemoteCommand.of(". /etc/os-release && printf {} \"$VERSION_ID\" > {} && cat {}",
                    "deb [signed-by=/etc/apt/keyrings/opennebula.gpg] https://downloads.opennebula.io/repo/" + series
                            + "/" + (family == OsFamily.DEBIAN ? "Debian" : "Ubuntu") + "/%s stable opennebula\\n",
                    file, file);
            case RHEL, ALMALINUX -> RemoteCommand.of("printf '%s\\n' {} > {} && cat {}",
                    "[opennebula]\nname=OpenNebula " + series + "\nbaseurl=https://downloads.opennebula.io/repo/"
                            + series + "/" + (family == OsFamily.RHEL ? "RedHat" : "AlmaLinux")
                            + "/$releasever/$basearch\nenabled=1\ngpgkey=https://downloads.opennebula.io/repo/repo2.key"
                            + "\ngpgcheck=1\nrepo_gpgcheck=1",
                    file, file);
        };
    }

    private RemoteCommand upgradePackages(StepContext ctx) {
        OsFamily family = osFamily(ctx.zone());
        String packages = String.join(" ", FRONTEND_PACKAGES);
        return switch (family.packageManager()) {
            case APT -> RemoteCommand.of("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install"
                    + " --only-upgrade -y " + packages + " && dpkg-query -W -f='${Version}\\n' opennebula");
            case DNF -> RemoteCommand.of("dnf -y upgrade " + packages + " && rpm -q --qf '%{VERSION}\\n' opennebula");
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
