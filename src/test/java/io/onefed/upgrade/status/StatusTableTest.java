package io.onefed.upgrade.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.opennebula.OneZone;
import io.onefed.upgrade.opennebula.RaftStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTableTest {

    @Test
    void rendersLikeOnezoneListWithExtraColumnsAndProblems() {
        FederationStatus status = new FederationStatus("prod", false, false, List.of(
                new ZoneStatus(0, "M-EU-FR", "master", "http://10.0.0.1:2633/RPC2", true, true, "6.10.0",
                        OneZone.State.ENABLED, RaftStatus.State.LEADER, "18446744073709551614", null,
                        List.of(new ServerStatus("a", "root@a:22", true, "SHA256:x", null),
                                new ServerStatus("b", "root@b:22", false, null, "refused"))),
                new ZoneStatus(100, "S-EU-GE", "slave", "http://10.0.0.2:2633/RPC2", false, false, null,
                        OneZone.State.DISABLED, null, null, "unreachable", List.of())),
                List.of("zone 100 (S-EU-GE) unreachable"), java.time.Instant.parse("2026-12-02T14:00:00Z"));

        List<String> lines = StatusTable.render(status).lines().toList();

        assertThat(lines.get(0)).isEqualTo("FEDERATION prod  HEALTHY no  IN SYNC no");
        assertThat(lines.get(1)).isEqualTo(
                "C  ID NAME    ENDPOINT                  FED_INDEX            STAT VERSION RAFT   SSH");
        assertThat(lines.get(2)).isEqualTo(
                "*   0 M-EU-FR http://10.0.0.1:2633/RPC2 18446744073709551614 on   6.10.0  leader 1/2");
        assertThat(lines.get(3)).isEqualTo(
                "  100 S-EU-GE http://10.0.0.2:2633/RPC2 -                    off  -       -      -");
        assertThat(lines.subList(4, lines.size())).containsExactly("", "PROBLEMS", "- zone 100 (S-EU-GE) unreachable");
    }
}
