package io.onefed.upgrade.steps;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The unit lists of OpenNebula/one share/pkgs/services/systemd/ per release branch (issue 11, point 8). */
class ReleaseUnitsTest {

    @Test
    void eachSeriesHasItsOwnUnits() {
        assertThat(OneVersion.parse("5.12.0").units()).contains("opennebula-econe").doesNotContain("opennebula-fireedge");
        assertThat(OneVersion.parse("6.8.2").units()).contains("opennebula-gate-proxy", "opennebula-fireedge");
        assertThat(OneVersion.parse("6.10.0").units()).doesNotContain("opennebula-gate-proxy")
                .contains("opennebula-scheduler", "opennebula-sunstone", "opennebula-novnc");
        assertThat(OneVersion.parse("7.0.1").units()).doesNotContain("opennebula-scheduler", "opennebula-sunstone",
                "opennebula-novnc").contains("opennebula", "opennebula-fireedge", "opennebula-showback.timer");
        assertThat(OneVersion.parse("7.2.0").units()).contains("opennebula-form");
        // a release newer than the newest list known gets that list; one older than 5.10 gets 5.10's
        assertThat(OneVersion.parse("7.6.0").units()).contains("opennebula-form", "opennebula-ks");
        assertThat(OneVersion.parse("5.8.0").units()).contains("opennebula-econe", "opennebula-sunstone");
    }
}
