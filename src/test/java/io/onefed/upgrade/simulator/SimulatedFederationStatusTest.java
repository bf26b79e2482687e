package io.onefed.upgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.opennebula.DefaultOneClients;
import io.onefed.upgrade.opennebula.OneClientProperties;
import io.onefed.upgrade.ssh.JschRemoteShell;
import io.onefed.upgrade.ssh.JschSessions;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.status.FederationStatus;
import io.onefed.upgrade.status.FederationStatusService;
import io.onefed.upgrade.status.StatusTable;
import io.onefed.upgrade.status.ZoneStatus;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/** Issue 3's acceptance: the federation status against the simulated guide federation, healthy and not. */
class SimulatedFederationStatusTest {

    @TempDir
    Path tmp;

    SimulatedFederation sim;
    JschSessions sessions;
    FederationStatusService service;

    @BeforeEach
    void start() {
        sim = SimulatedFederation.guide(tmp);
        FederationProperties federation = sim.toFederationProperties();
        SecretResolver secrets = new SecretResolver();
        sessions = new JschSessions(federation.ssh(), secrets);
        RemoteShell shell = new JschRemoteShell(sessions, secrets);
        service = new FederationStatusService(federation,
                new DefaultOneClients(federation, secrets, OneClientProperties.defaults()),
                new StaticListableBeanFactory(Map.of("shell", shell)).getBeanProvider(RemoteShell.class));
    }

    @AfterEach
    void stop() {
        sessions.close();
        sim.close();
    }

    @Test
    void theGuidesThreeZonesAreInSync() {
        FederationStatus status = service.status();
        System.out.println(StatusTable.render(status));
        assertThat(status.healthy()).as(status.toString()).isTrue();
        assertThat(status.inSync()).isTrue();
        assertThat(status.zones()).extracting(ZoneStatus::id).containsExactly(0, 100, 101);
        assertThat(status.zones()).extracting(ZoneStatus::name).containsExactly("M-EU-FR", "S-EU-GE", "S-US-CA");
        assertThat(status.zones()).allMatch(z -> "715438".equals(z.fedIndex()) && "6.10.0.1".equals(z.version())
                && z.sshReachable());
    }

    @Test
    void anUnreachableZoneMakesItUnhealthy() {
        sim.faults().unreachable(101, true);
        FederationStatus status = service.status();
        System.out.println(StatusTable.render(status));
        assertThat(status.healthy()).isFalse();
        ZoneStatus z = status.zones().stream().filter(s -> s.id() == 101).findFirst().orElseThrow();
        assertThat(z.reachable()).isFalse();
        assertThat(z.sshReachable()).isFalse();
    }

    @Test
    void aLaggingZoneIsOutOfSync() {
        sim.faults().lagFedIndex(100, 4);
        FederationStatus status = service.status();
        System.out.println(StatusTable.render(status));
        assertThat(status.inSync()).isFalse();
        assertThat(status.healthy()).isFalse();
        assertThat(status.zones().stream().filter(s -> s.id() == 100).findFirst().orElseThrow().fedIndex())
                .isEqualTo(Long.toString(715438 - 4));
    }
}
