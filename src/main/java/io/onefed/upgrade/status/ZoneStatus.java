package io.onefed.upgrade.status;

import io.onefed.upgrade.opennebula.OneZone;
import io.onefed.upgrade.opennebula.RaftStatus;
import java.util.List;

/**
 * One zone of the status view. {@code role} is {@code master}/{@code slave} from the configuration, or null for a
 * zone the federation has but the configuration lacks; {@code current} marks the zone whose pool was read (the
 * {@code C} column of {@code onezone list}). {@code fedIndex} is FEDLOG_INDEX as OpenNebula counts it (unsigned),
 * {@code -} when the zone has none, null when it did not answer. Unanswered values are null and {@code error}
 * says why.
 */
public record ZoneStatus(
        int id,
        String name,
        String role,
        String endpoint,
        boolean current,
        boolean reachable,
        String version,
        OneZone.State state,
        RaftStatus.State raftState,
        String fedIndex,
        String error,
        List<ServerStatus> servers) {

    public ZoneStatus {
        servers = servers == null ? List.of() : List.copyOf(servers);
    }

    public boolean sshReachable() {
        return servers.stream().allMatch(ServerStatus::sshReachable);
    }
}
