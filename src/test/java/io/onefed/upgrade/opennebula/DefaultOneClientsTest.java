package io.onefed.upgrade.opennebula;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.SecretRef;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.XmlRpcProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class DefaultOneClientsTest {

    private final FakeOned oned = new FakeOned().success("one.system.version", "6.10.0");

    @AfterEach
    void stop() {
        oned.close();
    }

    private static FederationProperties federation(XmlRpcProperties xmlrpc, ZoneProperties... zones) {
        return new FederationProperties("test", new SecretRef("ONE_AUTH_TEST", null), null, xmlrpc, List.of(zones));
    }

    private static ZoneProperties zone(int id, String endpoint) {
        return new ZoneProperties(id, "zone-" + id, "master", endpoint, false, "debian", null, null, null, null, null);
    }

    @Test
    void zoneIsCalledOnItsOwnEndpointWithTheConfiguredLimits() {
        FederationProperties fed = federation(new XmlRpcProperties(Duration.ofSeconds(3), Duration.ofSeconds(7)),
                zone(0, oned.endpoint()));
        DefaultOneClients clients = new DefaultOneClients(fed, new SecretResolver(Map.of("ONE_AUTH_TEST", "oneadmin:pw")),
                new OneClientProperties(DataSize.ofKilobytes(512), Duration.ofSeconds(30)));

        OneClient client = clients.forZone(fed.zones().get(0));

        assertThat(client.endpoint()).isEqualTo(oned.endpoint());
        assertThat(client.systemVersion()).isEqualTo("6.10.0");
        assertThat(((XmlRpcOneClient) client).limits()).isEqualTo(
                new OneCallLimits(Duration.ofSeconds(3), Duration.ofSeconds(7), 512 * 1024, Duration.ofSeconds(30)));
        assertThat(oned.requests().get(0)).contains("oneadmin:pw");
        // one client per endpoint and timeouts
        assertThat(clients.forEndpoint(oned.endpoint())).isSameAs(client);
        OneClient quick = clients.forEndpoint(oned.endpoint(), new XmlRpcProperties(Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertThat(quick).isNotSameAs(client);
        assertThat(((XmlRpcOneClient) quick).limits().readTimeout()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void credentialsAreReadAtCallTimeAndMustBeUserColonPassword() {
        FederationProperties fed = federation(null, zone(0, oned.endpoint()));
        DefaultOneClients clients = new DefaultOneClients(fed,
                new SecretResolver(Map.of("ONE_AUTH_TEST", "justapassword")), OneClientProperties.defaults());
        OneClient client = clients.forZone(fed.zones().get(0)); // no secret needed yet

        assertThatThrownBy(client::systemVersion)
                .isInstanceOf(SecretResolver.SecretUnavailableException.class)
                .hasMessageContaining("federation.credentials (env:ONE_AUTH_TEST)")
                .hasMessageContaining("user:password")
                .hasMessageNotContaining("justapassword");
        assertThat(oned.requests()).isEmpty();
    }

    @Test
    void missingCredentialsNameTheField() {
        FederationProperties fed = federation(null, zone(0, oned.endpoint()));
        DefaultOneClients clients = new DefaultOneClients(fed, new SecretResolver(Map.of()), OneClientProperties.defaults());

        assertThatThrownBy(() -> clients.forZone(fed.zones().get(0)).systemVersion())
                .isInstanceOf(SecretResolver.SecretUnavailableException.class)
                .hasMessageContaining("ONE_AUTH_TEST is not set");
    }

    @Test
    void zoneWithoutEndpointIsRefusedWithTheFix() {
        FederationProperties fed = federation(null, zone(7, null));
        DefaultOneClients clients = new DefaultOneClients(fed, new SecretResolver(Map.of()), OneClientProperties.defaults());

        assertThatThrownBy(() -> clients.forZone(fed.zones().get(0)))
                .hasMessageContaining("zone 7").hasMessageContaining("federation.zones[].endpoint");
    }
}
