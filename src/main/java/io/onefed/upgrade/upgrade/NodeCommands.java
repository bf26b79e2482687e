package io.onefed.upgrade.upgrade;

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
 * repository to the target series, upgrade the node packages it has installed to the newest of that series,
 * keeping changed configuration files as the front-ends do, and restart libvirtd where it runs. Hosts are split
 * into groups of {@code nodes.concurrency}: a group runs side by side, groups one after another.
 */
final class NodeCommands {

    private NodeCommands() {
    }

    static List<List<HostCommand>> upgradeNodes(StepContext ctx) {
        ZoneProperties zone = ctx.zone();
        NodeProperties nodes = zone.nodes();
        if (nodes == null) {
            return List.of();
        }
        RemoteCommand command = upgradeCommand(ctx, nodes);
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
     * The one place the node packages' version is chosen: null installs the newest of the target series'
     * repository (what {@code --only-upgrade} / {@code dnf upgrade} do after the switch). Wire the exact version
     * the preflight approved here once the package helper provides it.
     */
    static String pinnedVersion(StepContext ctx) {
        return null;
    }

    private static RemoteCommand upgradeCommand(StepContext ctx, NodeProperties nodes) {
        OsFamily family = family(ctx.zone());
        String file = repositoryFile(nodes, family);
        String series = ctx.target().series();
        String packages = String.join(" ", nodes.packages());
        RemoteCommand repo = repository(ctx.zone(), family, file, series);
        // libvirtd runs on KVM hosts only; an LXC or Firecracker host has none to restart
        String libvirt = "if systemctl is-active --quiet libvirtd; then systemctl restart libvirtd && echo 'restarted libvirtd';"
                + " fi";
        RemoteCommand upgrade = switch (family.packageManager()) {
            case APT -> RemoteCommand.of("apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install --only-upgrade -y"
                    + " -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold " + packages + " && " + libvirt
                    + " && { dpkg-query -W -f='${Package} ${Version}\\n' " + packages + " 2>/dev/null || true; }");
            case DNF -> RemoteCommand.of("pkgs=$(rpm -q --qf '%{NAME}\\n' " + packages + " | grep -v ' ');"
                    + " if [ -n \"$pkgs\" ]; then dnf -y upgrade $pkgs; else echo {}; fi && " + libvirt
                    + " && { rpm -q --qf '%{NAME} %{VERSION}\\n' $pkgs || true; }", "no node package installed");
        };
        return RemoteCommand.allOf(List.of(repo, upgrade));
    }

    /** The front-ends' repository definition (see ZoneCommands.switchRepository), written to the hosts' file. */
    private static RemoteCommand repository(ZoneProperties zone, OsFamily family, String file, String series) {
        boolean apt = family.packageManager() == OsFamily.PackageManager.APT;
        if (zone.repository() != null && !zone.repository().isBlank()) {
            String line = zone.repository().replace("{version}", series);
            String content = apt ? line
                    : "[opennebula]\nname=OpenNebula " + series + "\nbaseurl=" + line + "\nenabled=1\ngpgcheck=1";
            return RemoteCommand.of("printf '%s\\n' {} > {}", content, file);
        }
        return switch (family) {
            case DEBIAN, UBUNTU -> RemoteCommand.of(". /etc/os-release && printf {} \"$VERSION_ID\" > {}",
                    "deb [signed-by=/etc/apt/keyrings/opennebula.gpg] https://downloads.opennebula.io/repo/" + series
                            + "/" + (family == OsFamily.DEBIAN ? "Debian" : "Ubuntu") + "/%s stable opennebula\\n", file);
            case RHEL, ALMALINUX -> RemoteCommand.of("printf '%s\\n' {} > {}",
                    "[opennebula]\nname=OpenNebula " + series + "\nbaseurl=https://downloads.opennebula.io/repo/"
                            + series + "/" + (family == OsFamily.RHEL ? "RedHat" : "AlmaLinux")
                            + "/$releasever/$basearch\nenabled=1\ngpgkey=https://downloads.opennebula.io/repo/repo2.key"
                            + "\ngpgcheck=1\nrepo_gpgcheck=1", file);
        };
    }
}
