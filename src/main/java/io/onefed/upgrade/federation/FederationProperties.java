package io.onefed.upgrade.federation;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The federation as the operator describes it in one YAML file (prefix {@code federation}).
 * Values are bound as given and checked by {@link FederationConfigValidator} at start-up, so that every
 * problem is reported at once with the field and the fix, instead of failing on the first conversion error.
 * Secrets are never values here: only {@link SecretRef references} to environment variables or files.
 */
@ConfigurationProperties(prefix = "federation")
public record FederationProperties(
        /** Human name of the federation, shown in reports. */
        String name,
        /** Where oneadmin's {@code user:password} comes from (same in every zone: the user pool is federated). */
        SecretRef credentials,
        SshProperties ssh,
        XmlRpcProperties xmlrpc,
        List<ZoneProperties> zones) {

    public FederationProperties {
        zones = zones == null ? List.of() : List.copyOf(zones);
        ssh = ssh == null ? SshProperties.defaults() : ssh;
        xmlrpc = xmlrpc == null ? XmlRpcProperties.defaults() : xmlrpc;
    }

    /** The configured zones, as given (the same list as {@link #zones()}). */
    public List<ZoneProperties> all() {
        return zones;
    }

    public ZoneProperties byId(int id) {
        return zones.stream().filter(z -> z.id() != null && z.id() == id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("zone " + id + " is not configured under federation.zones"
                        + " (configured: " + zones.stream().map(z -> String.valueOf(z.id()))
                        .collect(Collectors.joining(", ")) + ")"));
    }

    public ZoneProperties master() {
        return zones.stream().filter(ZoneProperties::isMaster).findFirst()
                .orElseThrow(() -> new IllegalStateException("no zone has role master under federation.zones"));
    }

    public List<ZoneProperties> slaves() {
        return zones.stream().filter(z -> !z.isMaster()).toList();
    }

    /** Slaves first, master last: the order in which zones are disabled (a slave forwards to the master). */
    public List<ZoneProperties> slavesThenMaster() {
        List<ZoneProperties> order = new ArrayList<>(slaves());
        order.add(master());
        return order;
    }
}
