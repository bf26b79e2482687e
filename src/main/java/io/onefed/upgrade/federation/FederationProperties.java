package io.onefed.upgrade.federation;

import java.util.List;
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
}
