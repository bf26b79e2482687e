package io.onefed.upgrade.security;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Which process definitions operators and auditors get rights on ({@code onefed.security.*}).
 *
 * @param processDefinitionKeys the upgrade processes; grants are per key, so other processes stay closed
 * @param approvalFilterName    name of the shared Tasklist filter listing the tasks of those processes
 */
@ConfigurationProperties(prefix = "onefed.security")
public record SecurityProperties(List<String> processDefinitionKeys, String approvalFilterName) {

    public static final List<String> DEFAULT_KEYS =
            List.of("federation-upgrade", "zone-upgrade", "remote-step", "zone-stop", "rolling-upgrade",
                    "zone-rollback", "federation-rollback");

    public SecurityProperties {
        processDefinitionKeys = processDefinitionKeys == null || processDefinitionKeys.isEmpty()
                ? DEFAULT_KEYS : List.copyOf(processDefinitionKeys);
        approvalFilterName = approvalFilterName == null || approvalFilterName.isBlank()
                ? "Pending upgrade approvals" : approvalFilterName;
    }
}
