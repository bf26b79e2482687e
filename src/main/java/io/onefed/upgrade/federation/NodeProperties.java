package io.onefed.upgrade.federation;

import java.util.List;
import java.util.Map;

/**
 * How the orchestrator reaches a zone's hypervisor hosts (the hosts {@code one.hostpool.info} lists) to upgrade
 * their node packages (single front-end guide, "Upgrade Hypervisors"; OpenNebula/docs one-6.10
 * {@code source/intro_release_notes/upgrades/upgrading_single.rst}). Absent: the zone's nodes are not touched.
 * SSH goes directly to each host, or through the zone's leader front-end as a jump host ({@code via: front-end},
 * an SSH direct-tcpip channel, as OpenSSH's ProxyJump); host keys of the hosts are verified against
 * {@code federation.ssh.known-hosts} under their own name and port either way.
 */
@SuppressWarnings("java:S107")
public record NodeProperties(
        /** SSH user on the hosts; root by default (the package manager and systemctl need it). */
        String user,
        /** Private key for the hosts; {@code federation.ssh.private-key} when not set. */
        String privateKey,
        /** SSH port of the hosts, 22 by default. */
        Integer port,
        /** Hosts upgraded at the same time in this zone (zones have hundreds); 10 by default. */
        Integer concurrency,
        /** Package family of the hosts; the zone's {@code os-family} when not set. */
        String osFamily,
        /** The OpenNebula repository definition on the hosts; the distribution's usual file when not set. */
        String repositoryFile,
        /** Where the exactly-once runs keep their state on each host. */
        String runDir,
        /** Node packages upgraded where installed (apt --only-upgrade; rpm -q picks the installed ones for dnf). */
        List<String> packages,
        /** Host NAME -> address ({@code host} or {@code host:port}) where the NAME is not what reaches the host. */
        Map<String, String> addresses,
        /** {@code direct} (default) or {@code front-end}: reach the hosts through the zone's leader front-end. */
        String via) {

    public static final List<String> DEFAULT_PACKAGES = List.of("opennebula-node-kvm", "opennebula-node-lxc",
            "opennebula-node-firecracker");
    public static final int DEFAULT_CONCURRENCY = 10;

    @org.springframework.boot.context.properties.bind.ConstructorBinding
    public NodeProperties {
        user = user == null || user.isBlank() ? "root" : user;
        port = port == null ? 22 : port;
        concurrency = concurrency == null ? DEFAULT_CONCURRENCY : concurrency;
        runDir = runDir == null || runDir.isBlank() ? "/var/lib/one-fed-upgrade/runs" : runDir;
        packages = packages == null || packages.isEmpty() ? DEFAULT_PACKAGES : List.copyOf(packages);
        addresses = addresses == null ? Map.of() : Map.copyOf(addresses);
        via = via == null || via.isBlank() ? VIA_DIRECT : via;
    }

    public static final String VIA_DIRECT = "direct";
    public static final String VIA_FRONT_END = "front-end";

    /** Reached directly from the orchestrator. */
    public NodeProperties(String user, String privateKey, Integer port, Integer concurrency, String osFamily,
            String repositoryFile, String runDir, List<String> packages, Map<String, String> addresses) {
        this(user, privateKey, port, concurrency, osFamily, repositoryFile, runDir, packages, addresses, null);
    }

    public boolean viaFrontEnd() {
        return VIA_FRONT_END.equals(via);
    }

    /** The address SSH connects to for the host OpenNebula calls {@code name}: host and port. */
    public String[] address(String name) {
        String a = addresses.getOrDefault(name, name);
        int colon = a.lastIndexOf(':');
        if (colon > 0 && a.indexOf(':') == colon) {
            return new String[] {a.substring(0, colon), a.substring(colon + 1)};
        }
        return new String[] {a, Integer.toString(port)};
    }
}
