package io.onefed.upgrade.federation;

import java.util.List;

/**
 * One zone of the federation. {@code role} and {@code osFamily} are kept as text and checked by the validator,
 * so that a typo is reported with the field and the accepted values.
 */
public record ZoneProperties(
        Integer id,
        String name,
        /** {@code master} or {@code slave}. */
        String role,
        /** The zone's own XML-RPC endpoint, e.g. {@code http://192.168.150.1:2633/RPC2}. */
        String endpoint,
        /** true when the zone's front-ends form an HA (Raft) cluster. */
        boolean ha,
        /** Package family of the front-ends: see {@link OsFamily}. */
        String osFamily,
        DatabaseProperties database,
        /** Services to stop besides OpenNebula's own, e.g. {@code apache2} or {@code nginx} in front of FireEdge. */
        List<String> extraServices,
        /** Package repository line/URL for the target version; {@code {version}} is replaced by e.g. {@code 7.0}. */
        String repository,
        ZonePaths paths,
        List<ServerProperties> servers,
        /** The zone's hypervisor hosts, upgraded after the front-ends; null: they are not touched. */
        NodeProperties nodes) {

    /** A zone whose hypervisor hosts are not upgraded by the orchestrator. */
    public ZoneProperties(Integer id, String name, String role, String endpoint, boolean ha, String osFamily,
            DatabaseProperties database, List<String> extraServices, String repository, ZonePaths paths,
            List<ServerProperties> servers) {
        this(id, name, role, endpoint, ha, osFamily, database, extraServices, repository, paths, servers, null);
    }

    @org.springframework.boot.context.properties.bind.ConstructorBinding
    public ZoneProperties {
        extraServices = extraServices == null ? List.of() : List.copyOf(extraServices);
        servers = servers == null ? List.of() : List.copyOf(servers);
        paths = paths == null ? ZonePaths.defaults() : paths;
    }

    public boolean isMaster() {
        return "master".equalsIgnoreCase(role);
    }
}
