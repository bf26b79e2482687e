package io.onefed.upgrade.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The federation model's look-ups and the zones' leaders, as the steps and the plan use them. */
class FederationModelTest {

    private static ZoneProperties zone(int id, String role, String... servers) {
        return new ZoneProperties(id, "z" + id, role, "http://fe" + id + ":2633/RPC2", servers.length > 1, "debian",
                null, null, null, null,
                java.util.Arrays.stream(servers).map(s -> new ServerProperties(s, s + ".example", null, null, null))
                        .toList());
    }

    private final FederationProperties federation = new FederationProperties("f", null, null, null,
            List.of(zone(100, "slave", "s1"), zone(0, "master", "m1"), zone(101, "slave", "t1", "t2")));

    @Test
    void looksUpZonesByIdAndRole() {
        assertThat(federation.master().id()).isEqualTo(0);
        assertThat(federation.slaves()).extracting(ZoneProperties::id).containsExactly(100, 101);
        assertThat(federation.slavesThenMaster()).extracting(ZoneProperties::id).containsExactly(100, 101, 0);
        assertThat(federation.all()).isEqualTo(federation.zones());
        assertThat(federation.byId(101).name()).isEqualTo("z101");
        // a zone id the configuration lacks names the field and the ids there are
        assertThatThrownBy(() -> federation.byId(7)).hasMessage(
                "zone 7 is not configured under federation.zones (configured: 100, 0, 101)");
    }

    @Test
    void noMasterSaysSo() {
        FederationProperties slavesOnly = new FederationProperties("f", null, null, null, List.of(zone(100, "slave", "s1")));
        assertThatThrownBy(slavesOnly::master).hasMessage("no zone has role master under federation.zones");
    }

    /**
     * The text form is in running processes ({@code zoneLeaders}) and in the plan the approval hashes: it must
     * read back and print byte for byte as before ("0=fe1,100=fe2", in the order given).
     */
    @Test
    void leadersKeepTheirTextForm() {
        Map<Integer, String> found = new LinkedHashMap<>();
        found.put(100, "t2");
        found.put(0, "m1");
        assertThat(new Leaders(found).format()).isEqualTo("100=t2,0=m1");
        assertThat(Leaders.parse("100=t2,0=m1").format()).isEqualTo("100=t2,0=m1");
        assertThat(Leaders.parse(" 100 = t2 , 0=m1").byZone()).containsExactly(Map.entry(100, "t2"), Map.entry(0, "m1"));
        assertThat(Leaders.parse(null).format()).isEmpty();
        assertThat(Leaders.parse("").byZone()).isEmpty();
    }

    /** The recorded leader runs the DB steps; a zone with none recorded (or an unknown name) uses its first server. */
    @Test
    void leaderOfFallsBackToTheFirstServer() {
        ZoneProperties ha = federation.byId(101);
        assertThat(Leaders.parse("101=t2").leaderOf(ha).name()).isEqualTo("t2");
        assertThat(Leaders.parse("0=m1").leaderOf(ha).name()).isEqualTo("t1");
        assertThat(Leaders.parse("101=gone").leaderOf(ha).name()).isEqualTo("t1");
        assertThat(Leaders.parse(null).leaderOf(ha).name()).isEqualTo("t1");
    }
}
