package io.onefed.upgrade.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.opennebula.DefaultOneClients;
import io.onefed.upgrade.opennebula.OneClientProperties;
import io.onefed.upgrade.opennebula.OneZone;
import io.onefed.upgrade.opennebula.RaftStatus;
import io.onefed.upgrade.ssh.RemoteShell;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

class FederationStatusServiceTest {

    private final FakeFederation fed = new FakeFederation();
    private final FakeRemoteShell shell = new FakeRemoteShell();

    @AfterEach
    void stop() {
        fed.close();
    }

    private FederationStatus status() {
        return status(fed.properties());
    }

    private FederationStatus status(FederationProperties properties) {
        DefaultOneClients clients = new DefaultOneClients(properties,
                new SecretResolver(Map.of(FakeFederation.SESSION_ENV, "oneadmin:pw")), OneClientProperties.defaults());
        StaticListableBeanFactory beans = new StaticListableBeanFactory(Map.of("shell", shell));
        return new FederationStatusService(properties, clients, beans.getBeanProvider(RemoteShell.class),
                Duration.ofMillis(500)).status();
    }

    @Test
    void federationInSyncIsHealthy() {
        FederationStatus status = status();

        assertThat(status.problems()).isEmpty();
        assertThat(status.healthy()).isTrue();
        assertThat(status.inSync()).isTrue();
        assertThat(status.name()).isEqualTo("guide");
        assertThat(status.zones()).extracting(ZoneStatus::id).containsExactly(0, 100, 101);
        assertThat(status.zones()).extracting(ZoneStatus::name).containsExactly("M-EU-FR", "S-EU-GE", "S-US-CA");
        assertThat(status.zones()).extracting(ZoneStatus::role).containsExactly("master", "slave", "slave");
        assertThat(status.zones()).extracting(ZoneStatus::current).containsExactly(true, false, false);
        assertThat(status.zones()).allSatisfy(z -> {
            assertThat(z.reachable()).isTrue();
            assertThat(z.version()).isEqualTo("6.10.0");
            assertThat(z.state()).isEqualTo(OneZone.State.ENABLED);
            assertThat(z.raftState()).isEqualTo(RaftStatus.State.LEADER);
            assertThat(z.fedIndex()).isEqualTo("1042");
            assertThat(z.error()).isNull();
            assertThat(z.sshReachable()).isTrue();
            assertThat(z.servers()).singleElement().satisfies(s -> assertThat(s.hostKeyFingerprint()).startsWith("SHA256:"));
        });
        // onezone list: one zonepool.info to the master, raftstatus on every zone's own endpoint
        assertThat(fed.zone(0).methodsCalled()).containsOnlyOnce("one.zonepool.info");
        fed.zones.forEach((id, oned) -> assertThat(oned.methodsCalled()).contains("one.zone.raftstatus"));
        assertThat(fed.zone(100).methodsCalled()).doesNotContain("one.zonepool.info");
        assertThat(shell.probed).extracting(t -> t.host()).containsExactlyInAnyOrder(
                "fe-0.example", "fe-100.example", "fe-101.example");
    }

    @Test
    void laggingZoneIsNotInSync() {
        fed.raft(101, 3, "1039");

        FederationStatus status = status();

        assertThat(status.inSync()).isFalse();
        assertThat(status.healthy()).isFalse();
        assertThat(status.zones()).extracting(ZoneStatus::fedIndex).containsExactly("1042", "1042", "1039");
        assertThat(status.problems()).singleElement().asString()
                .contains("FED_INDEX differs").contains("101=1039");
    }

    @Test
    void unreachableZoneMakesItUnhealthyAndTheOthersStillShow() {
        fed.zone(100).close();

        FederationStatus status = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> status());

        assertThat(status.healthy()).isFalse();
        assertThat(status.inSync()).isFalse();
        ZoneStatus ge = status.zones().get(1);
        assertThat(ge.reachable()).isFalse();
        assertThat(ge.fedIndex()).isNull();
        assertThat(ge.error()).contains("unreachable");
        assertThat(status.zones().get(0).reachable()).isTrue();
        assertThat(status.zones().get(2).fedIndex()).isEqualTo("1042");
        assertThat(status.problems()).anySatisfy(p -> assertThat(p).contains("zone 100 (S-EU-GE) unreachable"));
    }

    @Test
    void hungZoneCostsOneShortTimeout() {
        fed.zone(101).hang("one.zone.raftstatus");

        FederationStatus status = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> status());

        assertThat(status.healthy()).isFalse();
        assertThat(status.zones().get(2).reachable()).isFalse();
        assertThat(status.zones().get(2).error()).contains("read timeout of PT0.5S");
    }

    @Test
    void masterDownStillProbesEveryConfiguredZone() {
        fed.zone(0).close();

        FederationStatus status = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> status());

        assertThat(status.healthy()).isFalse();
        assertThat(status.problems()).first().asString().contains("zone pool not read from master zone 0");
        assertThat(status.zones()).extracting(ZoneStatus::id).containsExactly(0, 100, 101);
        assertThat(status.zones()).extracting(ZoneStatus::reachable).containsExactly(false, true, true);
        assertThat(status.zones()).extracting(ZoneStatus::state).containsOnlyNulls();
        assertThat(status.zones()).extracting(ZoneStatus::current).containsOnly(false);
    }

    @Test
    void frontEndUnreachableOverSshIsUnhealthy() {
        shell.down.add("fe-101.example");

        FederationStatus status = status();

        assertThat(status.inSync()).isTrue();
        assertThat(status.healthy()).isFalse();
        assertThat(status.zones().get(2).sshReachable()).isFalse();
        assertThat(status.problems()).singleElement().asString()
                .contains("front-end fe-101 (root@fe-101.example:22) not reachable over SSH: connect timed out");
    }

    @Test
    void disabledZoneIsUnhealthy() {
        fed.disable(101);

        FederationStatus status = status();

        assertThat(status.zones().get(2).state()).isEqualTo(OneZone.State.DISABLED);
        assertThat(status.healthy()).isFalse();
        assertThat(status.problems()).singleElement().asString().contains("zone 101 (S-US-CA) is disabled");
    }

    @Test
    void zoneWithoutLeaderIsUnhealthy() {
        fed.raft(100, 1, "1042");

        FederationStatus status = status();

        assertThat(status.inSync()).isTrue();
        assertThat(status.healthy()).isFalse();
        assertThat(status.problems()).singleElement().asString().contains("is candidate");
    }

    @Test
    void zoneMissingFromTheConfigurationIsReported() {
        FederationProperties all = fed.properties();
        FederationProperties twoOnly = new FederationProperties(all.name(), all.credentials(), all.ssh(), all.xmlrpc(),
                all.zones().subList(0, 2));

        FederationStatus status = status(twoOnly);

        assertThat(status.zones()).extracting(ZoneStatus::id).containsExactly(0, 100, 101);
        assertThat(status.zones().get(2).role()).isNull();
        assertThat(status.zones().get(2).servers()).isEmpty();
        assertThat(status.healthy()).isFalse();
        assertThat(status.problems()).singleElement().asString()
                .contains("zone 101 (S-US-CA) is in the federation but not in federation.zones");
    }

    /** The old status probe called the pool's endpoint of an unconfigured zone with oneadmin's session. */
    @Test
    void zoneMissingFromTheConfigurationIsNeverCalled() {
        FederationProperties all = fed.properties();
        FederationProperties twoOnly = new FederationProperties(all.name(), all.credentials(), all.ssh(), all.xmlrpc(),
                all.zones().subList(0, 2));

        FederationStatus status = status(twoOnly);

        assertThat(fed.zone(101).requests()).as("requests to the unconfigured zone's endpoint").isEmpty();
        assertThat(status.zones().get(2).reachable()).isFalse();
        assertThat(status.zones().get(2).error()).contains("not called").contains(fed.zone(101).endpoint())
                .contains("federation.zones");
    }

    @Test
    void authenticationFailureIsShownPerZone() {
        fed.zone(100).on("one.system.version", (ex, o) -> io.onefed.upgrade.opennebula.FakeOned.send(ex, 200,
                io.onefed.upgrade.opennebula.FakeOned.errorXml(
                        "[one.system.version] User couldn't be authenticated, aborting call.", 0x100, -1, 0)));

        FederationStatus status = status();

        ZoneStatus ge = status.zones().get(1);
        assertThat(ge.reachable()).isTrue();
        assertThat(ge.version()).isNull();
        assertThat(ge.error()).contains("AUTHENTICATION");
        assertThat(status.healthy()).isFalse();
    }
}
