package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.OsFamily;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.RemoteCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The front-end packages of a target series and how to ask the target repository about them without changing
 * the host. Pure: renders commands and parses their output.
 *
 * <p>Package lists, in the order of the single front-end upgrade guide of the target series:
 * 7.x (OpenNebula/website {@code content/software/upgrade_process/upgrade_guide/upgrading_single.md}, branch
 * one-7.0): {@code opennebula opennebula-gate opennebula-flow opennebula-fireedge opennebula-migration
 * python3-pyone}; the onedb/onecfg migrators are in {@code opennebula-migration} (7.0 docs, configuration
 * management overview). 6.10 (OpenNebula/docs {@code source/intro_release_notes/upgrades/upgrading_single.rst},
 * one-6.10): {@code opennebula opennebula-gate opennebula-flow opennebula-provision opennebula-fireedge
 * python3-pyone}, then {@code opennebula-migration-community}, which depends on the new server packages and so is
 * installed only after them (OpenNebula/one issue #4998).
 */
public final class FrontendPackages {

    /** The current signing key (7.0 docs, "OpenNebula repository configuration"), de-armoured to {@link #keyring}. */
    public static final String KEY_URL = "https://downloads.opennebula.io/repo/repo2.key";

    private static final List<String> GUIDE_7 = List.of("opennebula", "opennebula-gate", "opennebula-flow",
            "opennebula-fireedge", "opennebula-migration", "python3-pyone");
    private static final List<String> GUIDE_6 = List.of("opennebula", "opennebula-gate", "opennebula-flow",
            "opennebula-provision", "opennebula-fireedge", "python3-pyone");

    /** Packages of the last 6.x front-ends the target may no longer ship; reported by the preflight when installed. */
    static final List<String> RETIRED_CANDIDATES = List.of("opennebula-sunstone", "opennebula-provision",
            "opennebula-migration-community");

    private static final Pattern MADISON = Pattern.compile("^\\s*(\\S+)\\s*\\|\\s*(\\S+)\\s*\\|.*$");
    private static final Pattern DNF_LIST = Pattern.compile("^(\\S+)\\.(?:x86_64|aarch64|noarch|i686)\\s+(\\S+)\\s+\\S+\\s*$");

    /** Debian and RPM version characters (and an epoch); it is read from a host's output and ends up in a command. */
    private static final Pattern PACKAGE_VERSION = Pattern.compile("(\\d{1,9}:)?\\d[0-9A-Za-z.+~_-]{0,63}");

    private FrontendPackages() {
    }

    public static boolean isPackageVersion(String v) {
        return v != null && PACKAGE_VERSION.matcher(v).matches();
    }

    /** The guide's list for the target series (without the separately installed 6.x migration package). */
    public static List<String> guideList(OneVersion target) {
        return target.major() >= 7 ? GUIDE_7 : GUIDE_6;
    }

    /** The package holding onedb's and onecfg's migrators for the target series. */
    public static String migrationPackage(OneVersion target) {
        return target.major() >= 7 ? "opennebula-migration" : "opennebula-migration-community";
    }

    /** CE 6.x: the migration package depends on the new server packages (issue #4998): a second install. */
    public static boolean migrationInstalledAfter(OneVersion target) {
        return target.major() < 7;
    }

    /** Installed whether or not they are there now: the server and the migrators ({@code onedb upgrade} needs them). */
    public static boolean required(String pkg, OneVersion target) {
        return pkg.equals("opennebula") || pkg.equals(migrationPackage(target));
    }

    /** Every OpenNebula front-end package of either series: what backup-config records the versions of. */
    public static List<String> known() {
        Set<String> all = new LinkedHashSet<>(GUIDE_6);
        all.addAll(GUIDE_7);
        all.add("opennebula-migration");
        all.add("opennebula-migration-community");
        all.addAll(ZoneCommands.FRONTEND_PACKAGES);
        all.addAll(RETIRED_CANDIDATES);
        return List.copyOf(all);
    }

    /**
     * The installed ones of {@code names} with their exact versions, one {@code pkg=version} line each (dpkg-query's
     * {@code ${Status}} keeps only installed packages; rpm prints nothing usable for absent ones), exit 0 in any case:
     * what a rollback installs again (apt's {@code pkg=version}; dnf's {@code pkg-version} after a sed).
     */
    static String installedVersionsQuery(OsFamily.PackageManager pm, List<String> names) {
        String list = String.join(" ", names);
        return pm == OsFamily.PackageManager.APT
                ? "{ dpkg-query -W -f='${Status} ${Package}=${Version}\\n' " + list
                        + " 2>/dev/null | sed -n 's/^install ok installed //p'; true; }"
                : "{ rpm -q --qf '%{NAME}=%{VERSION}-%{RELEASE}\\n' " + list + " 2>/dev/null | grep '='; true; }";
    }

    /** Every package the preflight asks the repository and the host about. */
    public static List<String> queried(OneVersion target) {
        Set<String> all = new LinkedHashSet<>(guideList(target));
        all.add(migrationPackage(target));
        all.addAll(ZoneCommands.FRONTEND_PACKAGES);
        all.addAll(RETIRED_CANDIDATES);
        return List.copyOf(all);
    }

    /** {@code /etc/apt/keyrings/opennebula.gpg}, next to the zone's etc directory (so a test root works). */
    public static String keyring(ZoneProperties zone) {
        Path etcRoot = Path.of(zone.paths().etc()).getParent();
        return (etcRoot == null ? "/etc" : etcRoot.toString()) + "/apt/keyrings/opennebula.gpg";
    }

    /** Whether the repository step installs the key: it writes the default line, which names {@link #keyring}. */
    public static boolean repositoryStepInstallsKey(ZoneProperties zone) {
        return zone.repository() == null || zone.repository().isBlank();
    }

    /** The package version spec the package manager takes: {@code opennebula=7.0.1-1} (apt), {@code opennebula-7.0.1-1.el9} (dnf). */
    public static String pinned(String pkg, String packageVersion, OsFamily.PackageManager pm) {
        if (packageVersion == null || packageVersion.isBlank()) {
            return pkg;
        }
        return pkg + (pm == OsFamily.PackageManager.APT ? "=" : "-") + packageVersion;
    }

    /**
     * Reads what the target series' repository offers, on one front-end, changing nothing there: apt reads a
     * scratch sources list into a scratch lists directory ({@code Dir::Etc::SourceList}, {@code
     * Dir::Etc::SourceParts=-}, {@code Dir::State::Lists}, no package caches written; apt.conf(5)), using the
     * installed keyring or, where it is missing, the current key fetched into the scratch directory; dnf reads
     * only a repository given on the command line ({@code --disablerepo='*' --repofrompath}, a scratch {@code
     * cachedir}; dnf(8)). The output has an "--- offered" and an "--- installed" section.
     */
    public static RemoteCommand repositoryQuery(ZoneProperties zone, OneVersion target) {
        OsFamily family = ZoneCommands.osFamily(zone);
        String series = target.series();
        List<Object> args = new ArrayList<>();
        String names = String.join(" ", queried(target));
        if (family.packageManager() == OsFamily.PackageManager.APT) {
            String keyring = keyring(zone);
            String line;
            if (!repositoryStepInstallsKey(zone)) {
                line = "printf '%s\\n' {}";
                args.add(zone.repository().replace("{version}", series));
            } else {
                line = "printf {} \"$kr\" \"$VERSION_ID\"";
                args.add("deb [signed-by=%s] https://downloads.opennebula.io/repo/" + series + "/"
                        + (family == OsFamily.DEBIAN ? "Debian" : "Ubuntu") + "/%s stable opennebula\\n");
            }
            List<Object> all = new ArrayList<>(List.of(keyring, keyring, KEY_URL));
            all.addAll(args);
            return RemoteCommand.of("d=$(mktemp -d) && trap 'rm -rf \"$d\"' EXIT && chmod 755 \"$d\" && mkdir -p \"$d/lists/partial\""
                    + " && if [ -s {} ]; then echo '--- keyring present'; kr={}; else echo '--- keyring missing'; wget -q -O \"$d/repo2.key\" {} && gpg --dearmor --yes --output"
                    + " \"$d/opennebula.gpg\" \"$d/repo2.key\" && kr=\"$d/opennebula.gpg\"; fi"
                    + " && . /etc/os-release && " + line + " > \"$d/sources.list\""
                    + " && o=\"-o Dir::Etc::SourceList=$d/sources.list -o Dir::Etc::SourceParts=- -o Dir::State::Lists=$d/lists"
                    + " -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=\""
                    + " && apt-get -q $o update >&2 && echo '--- offered' && apt-cache $o madison " + names
                    + " && echo '--- installed' && { dpkg-query -W -f='${Package} ${Status}\\n' " + names
                    + " 2>/dev/null; true; }", all.toArray());
        }
        String baseurl = !repositoryStepInstallsKey(zone) ? zone.repository().replace("{version}", series)
                : "https://downloads.opennebula.io/repo/" + series + "/" + (family == OsFamily.RHEL ? "RedHat" : "AlmaLinux")
                        + "/$releasever/$basearch";
        return RemoteCommand.of("d=$(mktemp -d) && trap 'rm -rf \"$d\"' EXIT && echo '--- offered' && dnf -q -y"
                + " --disablerepo='*' --repofrompath=onefed-target,{} --setopt=onefed-target.gpgcheck=1"
                + " --setopt=onefed-target.gpgkey={} --setopt=cachedir=\"$d\" --showduplicates list available " + names
                + " && echo '--- installed' && { rpm -q --qf '%{NAME} installed\\n' " + names
                + " 2>/dev/null | grep ' installed$'; true; }", baseurl, KEY_URL);
    }

    /** What {@link #repositoryQuery} found: versions offered per package, and which of the queried are installed. */
    public record RepositoryView(Map<String, List<String>> offered, Set<String> installed,
            /** apt: whether the signed-by keyring exists; null for dnf. */
            Boolean keyringPresent) {

        /** The exact package version of {@code opennebula} for the target: {@code 7.0.1} -> {@code 7.0.1-1}. */
        public Optional<String> exactVersion(OneVersion target) {
            String best = null;
            for (String v : offered.getOrDefault("opennebula", List.of())) {
                if (!isPackageVersion(v)) {
                    continue;
                }
                OneVersion parsed;
                try {
                    parsed = OneVersion.parse(v);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                // the newest package revision of exactly that release (7.0.1-2 over 7.0.1-1)
                if (parsed.equals(target) && (best == null || compareRevisions(v, best) > 0)) {
                    best = v;
                }
            }
            return Optional.ofNullable(best);
        }

        public boolean offers(String pkg, String packageVersion) {
            return offered.getOrDefault(pkg, List.of()).contains(packageVersion);
        }
    }

    public static RepositoryView parse(String stdout) {
        Map<String, List<String>> offered = new LinkedHashMap<>();
        Set<String> installed = new LinkedHashSet<>();
        Boolean keyring = null;
        String section = "";
        for (String raw : stdout.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("--- keyring ")) {
                keyring = line.endsWith("present");
                continue;
            }
            if (line.startsWith("--- ")) {
                section = line.substring(4);
                continue;
            }
            if (section.equals("offered")) {
                Matcher m = MADISON.matcher(line);
                Matcher d = DNF_LIST.matcher(line);
                if (m.matches()) {
                    offered.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(m.group(2));
                } else if (d.matches()) {
                    offered.computeIfAbsent(d.group(1), k -> new ArrayList<>()).add(d.group(2));
                }
            } else if (section.equals("installed")) {
                String[] parts = line.split("\\s+");
                // dpkg-query: "<pkg> install ok installed"; rpm: "<pkg> installed"
                if (parts.length >= 2 && parts[parts.length - 1].equals("installed")
                        && (parts.length == 2 || line.contains(" ok installed"))) {
                    installed.add(parts[0]);
                }
            }
        }
        return new RepositoryView(offered, installed, keyring);
    }

    /** Orders {@code 7.0.1-1} and {@code 7.0.1-2} (same release) by their numeric revision parts. */
    static int compareRevisions(String a, String b) {
        String[] x = a.split("[^0-9]+");
        String[] y = b.split("[^0-9]+");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (x[i].isEmpty() || y[i].isEmpty()) {
                continue;
            }
            int c = Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }
}
