package io.onefed.upgrade.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Parsing what the target repository offers, and keeping a host's answer out of the commands unless it is a version. */
class FrontendPackagesTest {

    @Test
    void aptMadisonAndDnfListAreReadAndTheNewestRevisionOfTheExactReleaseIsTaken() {
        FrontendPackages.RepositoryView apt = FrontendPackages.parse("""
                --- keyring missing
                --- offered
                opennebula |    7.0.1-2 | https://downloads.opennebula.io/repo/7.0/Debian/12 stable/opennebula amd64 Packages
                opennebula |    7.0.1-1 | https://downloads.opennebula.io/repo/7.0/Debian/12 stable/opennebula amd64 Packages
                opennebula |    7.0.0-1 | https://downloads.opennebula.io/repo/7.0/Debian/12 stable/opennebula amd64 Packages
                opennebula-migration |    7.0.1-2 | https://downloads.opennebula.io/repo/7.0/Debian/12 stable/opennebula amd64 Packages
                --- installed
                opennebula install ok installed
                opennebula-sunstone install ok installed
                opennebula-flow deinstall ok config-files
                """);
        assertThat(apt.exactVersion(OneVersion.parse("7.0.1"))).contains("7.0.1-2");
        assertThat(apt.exactVersion(OneVersion.parse("7.0.0"))).contains("7.0.0-1");
        assertThat(apt.exactVersion(OneVersion.parse("7.0.2"))).isEmpty();
        assertThat(apt.installed()).containsExactly("opennebula", "opennebula-sunstone");
        assertThat(apt.keyringPresent()).isFalse();

        FrontendPackages.RepositoryView dnf = FrontendPackages.parse("""
                --- offered
                Available Packages
                opennebula.x86_64      6.10.0.1-1.el9      onefed-target
                opennebula.x86_64      6.10.0-1.el9        onefed-target
                --- installed
                opennebula installed
                """);
        assertThat(dnf.exactVersion(OneVersion.parse("6.10.0.1"))).contains("6.10.0.1-1.el9");
        assertThat(dnf.exactVersion(OneVersion.parse("6.10.0"))).contains("6.10.0-1.el9");
        assertThat(dnf.keyringPresent()).isNull();
    }

    @Test
    void aVersionFromAHostThatIsNoPackageVersionNeverReachesACommand() {
        FrontendPackages.RepositoryView bad = FrontendPackages.parse("--- offered\nopennebula | 7.0.0-1;reboot | x\n");
        assertThat(bad.exactVersion(OneVersion.parse("7.0.0"))).isEmpty();
        assertThatThrownBy(() -> new StepContext("u-1", null, OneVersion.parse("6.10.0.1"), OneVersion.parse("7.0.0"),
                null, null, "7.0.0-1 && reboot", null, null)).hasMessageContaining("packageVersion").hasMessageContaining("7.0.1-1");
        assertThat(FrontendPackages.pinned("opennebula", "7.0.1-1", io.onefed.upgrade.federation.OsFamily.PackageManager.APT))
                .isEqualTo("opennebula=7.0.1-1");
        assertThat(FrontendPackages.pinned("opennebula", "7.0.1-1.el9", io.onefed.upgrade.federation.OsFamily.PackageManager.DNF))
                .isEqualTo("opennebula-7.0.1-1.el9");
    }

    @Test
    void theGuideListsOfEachSeries() {
        assertThat(FrontendPackages.guideList(OneVersion.parse("7.0.1"))).containsExactly("opennebula", "opennebula-gate",
                "opennebula-flow", "opennebula-fireedge", "opennebula-migration", "python3-pyone");
        assertThat(FrontendPackages.guideList(OneVersion.parse("6.10.0.1"))).containsExactly("opennebula",
                "opennebula-gate", "opennebula-flow", "opennebula-provision", "opennebula-fireedge", "python3-pyone");
        assertThat(FrontendPackages.migrationPackage(OneVersion.parse("6.10.0"))).isEqualTo("opennebula-migration-community");
        assertThat(FrontendPackages.migrationInstalledAfter(OneVersion.parse("6.10.0"))).isTrue();
        assertThat(FrontendPackages.migrationInstalledAfter(OneVersion.parse("7.0.0"))).isFalse();
    }
}
