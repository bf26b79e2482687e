package io.onefed.upgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.FederationConfigValidator;
import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.opennebula.DefaultOneClients;
import io.onefed.upgrade.opennebula.OneClient;
import io.onefed.upgrade.opennebula.OneClientProperties;
import io.onefed.upgrade.opennebula.OneException;
import io.onefed.upgrade.opennebula.OneHost;
import io.onefed.upgrade.opennebula.OneUnreachableException;
import io.onefed.upgrade.opennebula.OneZone;
import io.onefed.upgrade.opennebula.RaftStatus;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulation against the orchestrator's own configuration validator and XML-RPC client. */
class SimulatedFederationCompatibilityTest {

    @TempDir
    static Path tmp;

    static SimulatedFederation sim;
    static FederationProperties federation;
    static DefaultOneClients clients;

    @BeforeAll
    static void start() {
        sim = SimulatedFederation.start(SimulatedFederation.guideSpec().withZones(List.of(
                SimulationSpec.ZoneSpec.single(200, "HA-ZONE", false, "6.10.0", "7.0.0").withServers(3))), tmp);
        federation = sim.toFederationProperties();
        clients = new DefaultOneClients(federation, new SecretResolver(), OneClientProperties.defaults());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    private static OneClient client(int zone) {
        return clients.forZone(federation.zones().stream().filter(z -> z.id() == zone).findFirst().orElseThrow());
    }

    @Test
    void theGeneratedConfigurationPassesTheValidator() {
        assertThat(new FederationConfigValidator().validate(federation)).isEmpty();
    }

    @Test
    void theClientReadsZonesRaftVersionsHostsAndVms() {
        List<OneZone> zones = client(100).zonePool();
        assertThat(zones).extracting(OneZone::id).containsExactly(0, 100, 101, 200);
        assertThat(zones.get(0).name()).isEqualTo("M-EU-FR");
        assertThat(zones.get(0).state()).isEqualTo(OneZone.State.ENABLED);
        assertThat(zones.get(0).endpoint()).isEqualTo(sim.endpoint(0));
        assertThat(zones.get(3).servers()).hasSize(3);
        RaftStatus raft = client(101).raftStatus();
        assertThat(raft.state()).isEqualTo(RaftStatus.State.SOLO);
        assertThat(raft.fedlogIndex().unsignedBits()).isEqualTo(715438L);
        assertThat(client(200).raftStatus().state()).isEqualTo(RaftStatus.State.LEADER);
        assertThat(client(0).systemVersion()).isEqualTo("6.10.0.1");
        assertThat(client(0).hostPool()).hasSize(2).allMatch(h -> h.state() == 2);
        assertThat(client(0).vmPool()).singleElement().satisfies(vm -> assertThat(vm.lcmState()).isEqualTo(3));
    }

    @Test
    void changesAndTheirRefusalsBecomeTypedErrors() {
        client(101).hostStatus(1, OneHost.Status.DISABLED);
        assertThat(client(101).hostPool()).filteredOn(h -> h.id() == 1).singleElement()
                .satisfies(h -> assertThat(h.isDisabled()).isTrue());
        assertThatThrownBy(() -> client(0).zoneEnable(100, false)).isInstanceOf(OneException.class)
                .satisfies(e -> assertThat(((OneException) e).errorCode()).isEqualTo(OneException.ErrorCode.ACTION));
        client(101).zoneEnable(101, false);
        try {
            assertThat(client(0).zoneInfo(101).state()).isEqualTo(OneZone.State.DISABLED);
            assertThatThrownBy(() -> client(101).hostStatus(0, OneHost.Status.DISABLED)).isInstanceOf(OneException.class)
                    .satisfies(e -> assertThat(((OneException) e).errorCode()).isEqualTo(OneException.ErrorCode.INTERNAL))
                    .hasMessageContaining("zone disabled");
        } finally {
            client(101).zoneEnable(101, true);
        }
        assertThatThrownBy(() -> client(0).zoneInfo(55)).isInstanceOf(OneException.class)
                .satisfies(e -> assertThat(((OneException) e).errorCode()).isEqualTo(OneException.ErrorCode.NO_EXISTS));
    }

    @Test
    void anUnreachableZoneIsUnreachableForTheClient() {
        sim.faults().unreachable(101, true);
        try {
            assertThatThrownBy(() -> client(101).systemVersion()).isInstanceOf(OneUnreachableException.class);
        } finally {
            sim.faults().unreachable(101, false);
        }
    }
}
