package io.onefed.upgrade.simulator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One simulated zone: its spec, its directory and its front-end servers (the first is the Raft leader). */
final class SimZone {

    private final SimulationSpec.ZoneSpec spec;
    private final Path dir;
    final List<SimServer> servers = new ArrayList<>();
    /** The hypervisor hosts with an SSH server of their own (HostSpec.ssh). */
    final List<SimServer> nodes = new ArrayList<>();

    SimZone(SimulationSpec.ZoneSpec spec, Path dir) {
        this.spec = spec;
        this.dir = dir;
    }

    int id() {
        return spec.id();
    }

    String name() {
        return spec.name();
    }

    SimulationSpec.ZoneSpec spec() {
        return spec;
    }

    Path dir() {
        return dir;
    }

    SimServer leader() {
        return servers.get(0);
    }

    SimServer server(String name) {
        return servers.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("zone " + id() + " has no server '" + name + "'; it has "
                        + servers.stream().map(SimServer::name).toList()));
    }

    SimServer node(String name) {
        return nodes.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("zone " + id() + " has no hypervisor host '" + name + "' with SSH; it has "
                        + nodes.stream().map(SimServer::name).toList()));
    }

    /** The directory the configuration names for every hypervisor host's files; each host maps it to its own. */
    Path nodePrefix() {
        return dir.resolve("node-prefix");
    }

    /**
     * The absolute directory the zone's configuration names for every server of an HA zone: each server maps it
     * to its own directory (commands and SFTP), as every real front-end has its own /etc/one. Single front-end
     * zones use the server's directory itself.
     */
    Path hostPrefix() {
        return spec.ha() ? dir.resolve("host") : leader().dir();
    }

    /** The zone's own endpoint: the leader's (a floating IP would point there). */
    String endpoint() {
        return leader().endpoint();
    }

    long fedLag() {
        return Long.parseLong(SimFiles.read(dir.resolve("fed_lag"), "0"));
    }

    boolean disabled() {
        return "1".equals(SimFiles.read(leader().state().resolve("db/zone_state"), "0"));
    }
}
