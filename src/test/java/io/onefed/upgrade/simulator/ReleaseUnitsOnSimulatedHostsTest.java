package io.onefed.upgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.JschDetachedRuns;
import io.onefed.upgrade.ssh.JschRemoteShell;
import io.onefed.upgrade.ssh.JschSessions;
import io.onefed.upgrade.steps.OneVersion;
import io.onefed.upgrade.steps.RemoteStepRunner;
import io.onefed.upgrade.steps.StepContext;
import io.onefed.upgrade.steps.StopVerifier;
import io.onefed.upgrade.steps.ZoneCommands;
import io.onefed.upgrade.steps.ZoneStep;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, point 8: the units stopped, proved stopped and started come from the running and the target
 * release's own unit lists. With the one list of 6.x units used before, a 6.8 front-end kept
 * {@code opennebula-gate-proxy} running and a 5.12 one {@code opennebula-econe}: the zone never proved stopped.
 */
class ReleaseUnitsOnSimulatedHostsTest {

    @TempDir
    Path tmp;

    SimulatedFederation sim;
    JschSessions sessions;

    @AfterEach
    void stop() {
        if (sessions != null) {
            sessions.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    private ZoneProperties start(String installed, String offered) {
        sim = SimulatedFederation.start(new SimulationSpec("units", "pw1", "pw2", 10L, List.of(
                SimulationSpec.ZoneSpec.single(0, "M-UNITS", true, installed, offered))), tmp);
        FederationProperties federation = sim.toFederationProperties();
        sessions = new JschSessions(federation.ssh(), new SecretResolver());
        return federation.zones().get(0);
    }

    private void run(ZoneStep step, StepContext ctx) {
        JschRemoteShell shell = new JschRemoteShell(sessions, new SecretResolver());
        JschDetachedRuns runs = new JschDetachedRuns(shell, t -> ctx.zone().paths().runDir(),
                JschRemoteShell.DEFAULT_OUTPUT_CAP, Duration.ofSeconds(30));
        RemoteStepRunner runner = new RemoteStepRunner(runs, Duration.ofSeconds(2));
        String key = "units-z0-" + step.id() + "-a1.1";
        RemoteStepRunner.Progress p = runner.advance(key, new ZoneCommands().commands(step, ctx));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (p.state() == RemoteStepRunner.State.RUNNING && System.nanoTime() < deadline) {
            p = runner.advance(key, new ZoneCommands().commands(step, ctx));
        }
        assertThat(p.state()).as(step + ": " + p.failure()).isEqualTo(RemoteStepRunner.State.SUCCEEDED);
    }

    private List<String> stillActive(ZoneProperties zone) {
        return new StopVerifier(new JschRemoteShell(sessions, new SecretResolver())).stillActive(zone);
    }

    @Test
    void aSixEightZoneStopsItsGateProxyToo() {
        ZoneProperties zone = start("6.8.0", "6.10.0");
        assertThat(sim.unitActive(0, "opennebula-gate-proxy")).isTrue();
        run(ZoneStep.STOP_SERVICES, new StepContext("u1", zone, OneVersion.parse("6.8.0"),
                OneVersion.parse("6.10.0"), null, null));
        assertThat(stillActive(zone)).isEmpty();
        assertThat(sim.unitActive(0, "opennebula-gate-proxy")).isFalse();
    }

    @Test
    void aFiveTwelveZoneStopsEconeToo() {
        ZoneProperties zone = start("5.12.0", "6.0.0");
        run(ZoneStep.STOP_SERVICES, new StepContext("u2", zone, OneVersion.parse("5.12.0"),
                OneVersion.parse("6.0.0"), null, null));
        assertThat(stillActive(zone)).isEmpty();
        assertThat(sim.commandLog(0, "systemctl")).anyMatch(l -> l.endsWith(" stop opennebula-econe"));
    }

    @Test
    void theTargetReleaseStartsOnlyUnitsItShips() throws Exception {
        ZoneProperties zone = start("6.10.0", "7.0.0");
        StepContext ctx = new StepContext("u3", zone, OneVersion.parse("6.10.0"), OneVersion.parse("7.0.0"), null, null);
        run(ZoneStep.STOP_SERVICES, ctx);
        assertThat(stillActive(zone)).isEmpty();
        run(ZoneStep.SWITCH_REPOSITORY, ctx);
        run(ZoneStep.UPGRADE_PACKAGES, ctx);
        // the DB is left at 6.10 here: oned would refuse to start, so the start step is checked by its command only
        String start = new ZoneCommands().commands(ZoneStep.START_SERVICES, ctx).get(0).get(0).command().rendered();
        assertThat(start).doesNotContain("opennebula-scheduler").doesNotContain("opennebula-sunstone")
                .doesNotContain("opennebula-novnc").contains("opennebula-fireedge");
        // 7.0's packages removed the units 7.0 does not ship: starting one now fails, as systemd does
        assertThat(sim.commandLog(0, "systemctl")).anyMatch(l -> l.endsWith(" stop opennebula-scheduler"));
        SimClient.Result gone = new SimClient(sim).exec(0, "systemctl start opennebula-scheduler");
        assertThat(gone.exit()).isEqualTo(5);
        assertThat(gone.err()).contains("Unit opennebula-scheduler.service not found");
    }
}
