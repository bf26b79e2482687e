package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.NodeProperties;
import io.onefed.upgrade.federation.OsFamily;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.SshTarget;
import java.util.ArrayList;
import java.util.List;

/**
 * The guide's "Upgrade Hypervisors" on each host of a zone (OpenNebula/docs one-6.10
 * {@code source/intro_release_notes/upgrades/upgrading_single.rst}, steps 3 and 12: upgrade
 * {@code opennebula-node-<hypervisor>} with the package manager; for KVM restart libvirt): switch the host's
 * repository to the target series, upgrade the node packages it has installed to the approved version,
 * keeping changed configuration files as the front-ends do, and restart libvirtd where it runs. Hosts are split
 * into groups of {@code nodes.concurrency}: a group runs side by side, groups one after another.
 */
final class NodeCommands {

    private NodeCommands() {
    }

    static List<List<HostCommand>> upgradeNodes(StepContext ctx) {
        return onHosts(ctx, ctx.zone().nodes() == null ? null : upgradeCommand(ctx, ctx.zone().nodes()));
    }

    /** The rollback's node step: each host the upgrade changed goes back to what it recorded before. */
    static List<List<HostCommand>> rollbackNodes(StepContext ctx) {
        return onHosts(ctx, ctx.zone().nodes() == null ? null : rollbackCommand(ctx, ctx.zone().nodes()));
    }

    private static List<List<HostCommand>> onHosts(StepContext ctx, RemoteCommand command) {
        ZoneProperties zone = ctx.zone();
        NodeProperties nodes = zone.nodes();
        if (nodes == null) {
            return List.of();
        }
        SshTarget jump = nodes.viaFrontEnd() ? SshTarget.of(zone, ZoneCommands.leader(ctx)) : null;
        List<List<HostCommand>> groups = new ArrayList<>();
        List<HostCommand> group = new ArrayList<>();
        for (NodeHosts.Node node : NodeHosts.of(ctx.zoneNodes(), zone.id())) {
            String[] address = nodes.address(node.name());
            group.add(new HostCommand(new SshTarget(zone.id(), zone.name(), node.name(), address[0],
                    Integer.parseInt(address[1]), nodes.user(), nodes.privateKey(), nodes.runDir(), jump), command));
            if (group.size() == nodes.concurrency()) {
                groups.add(group);
                group = new ArrayList<>();
            }
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        return groups;
    }

    static OsFamily family(ZoneProperties zone) {
        String f = zone.nodes().osFamily() != null ? zone.nodes().osFamily() : zone.osFamily();
        return OsFamily.parse(f).orElseThrow(() -> new IllegalArgumentException("federation.zones[id=" + zone.id()
                + "].nodes.os-family '" + f + "' is not one of " + OsFamily.accepted()));
    }

    static String repositoryFile(NodeProperties nodes, OsFamily family) {
        if (nodes.repositoryFile() != null) {
            return nodes.repositoryFile();
        }
        return family.packageManager() == OsFamily.PackageManager.APT ? "/etc/apt/sources.list.d/opennebula.list"
                : "/etc/yum.repos.d/opennebula.repo";
    }

    /**
     * Where OpenNebula's apt key lives on a host: {@code <etc>/apt/keyrings/opennebula.gpg} beside the repository
     * file's {@code <etc>/apt/sources.list.d/} (the repository docs' /etc/apt/keyrings by default; a test root
     * keeps both inside it).
     */
    static String keyring(String repositoryFile) {
        java.nio.file.Path aptDir = java.nio.file.Path.of(repositoryFile).getParent();
        aptDir = aptDir == null ? null : aptDir.getParent();
        return (aptDir == null ? "/etc/apt" : aptDir.toString()) + "/keyrings/opennebula.gpg";
    }

    /**
     * The one place the node packages' version is chosen: the exact package version the preflight found for the
     * zone's front-ends and the plan approved, when the hosts run the front-ends' distribution family (the same
     * repository, so the same package release, e.g. 7.0.0-1); hosts of another family (their own
     * {@code nodes.os-family}) get the newest of the target series, as the repository's release string differs.
     */
    static String pinnedVersion(StepContext ctx) {
        String own = ctx.zone().nodes().osFamily();
        return own == null || own.equalsIgnoreCase(ctx.zone().osFamily()) ? ctx.packageVersion() : null;
    }

    private static RemoteCommand upgradeCommand(StepContext ctx, NodeProperties nodes) {
        OsFamily family = family(ctx.zone());
        String file = repositoryFile(nodes, family);
        String series = ctx.target().series();
        String packages = String.join(" ", nodes.packages());
        RemoteCommand repo = ZoneCommands.repositoryDefinition(ctx.zone(), family, file, keyring(file), series);
        // libvirtd runs on KVM hosts only; an LXC or Firecracker host has none to restart
        String libvirt = "if systemctl is-active --quiet libvirtd; then systemctl restart libvirtd && echo 'restarted libvirtd';"
                + " fi";
        String version = pinnedVersion(ctx);
        String aptPackages = String.join(" ", nodes.packages().stream()
                .map(p -> FrontendPackages.pinned(p, version, OsFamily.PackageManager.APT)).toList());
        // dnf: the installed node packages, each at the pinned version when there is one (name-version)
        String dnfSpec = version == null ? "$pkgs" : "$(for p in $pkgs; do printf '%s-%s ' \"$p\" " + version + "; done)";
        RemoteCommand upgrade = switch (family.packageManager()) {
            case APT -> RemoteCommand.of("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install --only-upgrade -y"
                    + " -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold " + aptPackages + " && " + libvirt
                    + " && { dpkg-query -W -f='${Package} ${Version}\\n' " + packages + " 2>/dev/null || true; }");
            case DNF -> RemoteCommand.of("pkgs=$(rpm -q --qf '%{NAME}\\n' " + packages + " | grep -v ' ');"
                    + " if [ -n \"$pkgs\" ]; then dnf -y " + (version == null ? "upgrade" : "install") + " " + dnfSpec
                    + "; else echo {}; fi && " + libvirt
                    + " && { rpm -q --qf '%{NAME} %{VERSION}\\n' $pkgs || true; }", "no node package installed");
        };
        return RemoteCommand.allOf(List.of(record(ctx, nodes, family, file), repo, upgrade));
    }

    /** Where a host keeps what it had before this upgrade: beside its detached runs, one directory per upgrade. */
    static String recordDir(StepContext ctx, NodeProperties nodes) {
        return nodes.runDir() + "/before-" + ctx.upgradeId();
    }

    /**
     * Before the host's first change: its repository definition and the exact versions of its node packages
     * ({@code pkg=version} lines), the package record written last so its presence means both are complete, and
     * only once (a retry after a half-done upgrade keeps the first record).
     */
    private static RemoteCommand record(StepContext ctx, NodeProperties nodes, OsFamily family, String file) {
        String d = recordDir(ctx, nodes);
        String query = FrontendPackages.installedVersionsQuery(family.packageManager(), nodes.packages());
        return RemoteCommand.of("mkdir -p {} && if ! test -e {}; then { if test -f {}; then cp -a {} {}; else rm -f {};"
                        + " touch {}; fi; } && " + query + " > {} && mv -f {} {}; fi",
                d, d + "/packages", file, file, d + "/repository", d + "/repository", d + "/repository.absent",
                d + "/packages.part", d + "/packages.part", d + "/packages");
    }

    /**
     * Puts a host back: its repository definition, then exactly the node package versions it had (apt
     * --allow-downgrades, dnf install name-version, as on the front-ends), libvirtd restarted where it runs. A host
     * without a record was not touched by this upgrade (skipped, or the zone never got to its nodes): left alone.
     */
    private static RemoteCommand rollbackCommand(StepContext ctx, NodeProperties nodes) {
        OsFamily family = family(ctx.zone());
        String file = repositoryFile(nodes, family);
        String d = recordDir(ctx, nodes);
        String libvirt = "if systemctl is-active --quiet libvirtd; then systemctl restart libvirtd && echo 'restarted libvirtd'; fi";
        String install = family.packageManager() == OsFamily.PackageManager.APT
                ? "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-downgrades"
                        + " -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $(cat {})"
                : "dnf -y install $(sed 's/=/-/' {})";
        return RemoteCommand.of("if ! test -s {}; then echo {}; else "
                        + "if grep -qvx '[a-z0-9][a-z0-9.+-]*=[0-9][0-9A-Za-z.+~:_-]*' {}; then echo {} >&2; exit 1; fi; "
                        + "{ if test -f {}; then cp -a {} {}; else rm -f {}; fi; } && " + install + " && " + libvirt
                        + " && cat {}; fi",
                d + "/packages", "no record of this host's packages before the upgrade: it was not upgraded, left alone",
                d + "/packages", d + "/packages holds a line that is not pkg=version",
                d + "/repository", d + "/repository", file, file, d + "/packages", d + "/packages");
    }

}
