package io.onefed.upgrade.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.progress.UpgradeProgress.ZoneState;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** follow's rendering, without a server: the bars, the lines, and how frames are placed on a terminal or a pipe. */
class ProgressTextTest {

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    static UpgradeProgress progress(String state, int masterDone, ZoneState slave, List<UpgradeProgress.IncidentLink> inc) {
        return new UpgradeProgress("U1", state, null, "6.10.0", "7.0.0", "Approve re-enabling API access", T0, null, 754,
                true, List.of(
                        new UpgradeProgress.Zone(0, "M-EU-FR", true, ZoneState.RUNNING, "Upgrade the database", masterDone,
                                10, T0, null, 125, List.of(), List.of()),
                        new UpgradeProgress.Zone(101, "S-US-CA", false, slave, null, 0, 8, null, null, 0, List.of(), inc)),
                List.of(new UpgradeProgress.Approval("t1", "Approve re-enabling API access", null, T0,
                        "/camunda/app/tasklist/default/#/?task=t1")),
                inc, T0);
    }

    @Test
    void barsFillInProportionToTheDoneSteps() {
        assertThat(ProgressText.bar(0, 10, 10)).isEqualTo("[----------]");
        assertThat(ProgressText.bar(5, 10, 10)).isEqualTo("[#####-----]");
        assertThat(ProgressText.bar(10, 10, 10)).isEqualTo("[##########]");
        assertThat(ProgressText.bar(1, 3, 20)).isEqualTo("[#######-------------]");
        assertThat(ProgressText.bar(0, 0, 14)).isEqualTo("[ no plan yet  ]");
        assertThat(ProgressText.elapsed(5)).isEqualTo("5s");
        assertThat(ProgressText.elapsed(125)).isEqualTo("2m05s");
        assertThat(ProgressText.elapsed(3725)).isEqualTo("1h02m05s");
    }

    @Test
    void oneLinePerZoneThenTheApprovalsAndIncidentsWithAbsoluteLinks() {
        List<UpgradeProgress.IncidentLink> inc = List.of(new UpgradeProgress.IncidentLink("i1", "S-US-CA", "RunStepCommands",
                "s-us-ca: connection lost\nstack", "pi9", T0, "/camunda/app/cockpit/default/#/process-instance/pi9/runtime"));
        List<String> lines = ProgressText.lines(progress("incident", 5, ZoneState.FAILED, inc), "http://svc:8080", true);
        assertThat(lines).containsExactly(
                "Upgrade U1  6.10.0 -> 7.0.0  incident  zones done 0/2  12m34s",
                "  federation: Approve re-enabling API access",
                "  M-EU-FR* [##########----------] 5/10  running     2m05s     Upgrade the database",
                "  S-US-CA  [--------------------] 0/8   failed",
                "  approval Approve re-enabling API access  http://svc:8080/camunda/app/tasklist/default/#/?task=t1",
                "  INCIDENT S-US-CA: s-us-ca: connection lost  http://svc:8080/camunda/app/cockpit/default/#/process-instance/pi9/runtime");
        // for a pipe, without the times that change every second
        assertThat(ProgressText.lines(progress("running", 5, ZoneState.WAITING, List.of()), "", false).get(2))
                .isEqualTo("  M-EU-FR* [##########----------] 5/10  running     Upgrade the database");
    }

    @Test
    void onATerminalEachFrameRedrawsTheLastInPlace() {
        ProgressText.Screen screen = new ProgressText.Screen(true);
        String first = screen.frame(List.of("a", "b", "c"));
        assertThat(first).isEqualTo("\r\033[2Ka\n\r\033[2Kb\n\r\033[2Kc\n");
        // three lines up, then each line erased and written again
        assertThat(screen.frame(List.of("a", "B", "c"))).isEqualTo("\033[3A\r\033[2Ka\n\r\033[2KB\n\r\033[2Kc\n");
        // a shorter frame clears the line left below it and comes back up
        assertThat(screen.frame(List.of("x", "y"))).isEqualTo("\033[3A\r\033[2Kx\n\r\033[2Ky\n\033[2K\n\033[1A");
        assertThat(screen.frame(List.of("x"))).startsWith("\033[2A");
    }

    @Test
    void inAPipeOnlyChangedLinesAreAppendedWithoutTerminalCodes() {
        ProgressText.Screen screen = new ProgressText.Screen(false);
        assertThat(screen.frame(List.of("head", "zone 1 [--]", "zone 2 [--]"))).isEqualTo("head\nzone 1 [--]\nzone 2 [--]\n");
        assertThat(screen.frame(List.of("head", "zone 1 [--]", "zone 2 [--]"))).isEmpty();
        String next = screen.frame(List.of("head", "zone 1 [#-]", "zone 2 [--]"));
        assertThat(next).isEqualTo("zone 1 [#-]\n").doesNotContain("\033");
    }
}
