package io.onefed.upgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.steps.DbVersionReader;
import io.onefed.upgrade.steps.OneVersion;
import io.onefed.upgrade.steps.StepContext;
import io.onefed.upgrade.steps.ZoneCommands;
import io.onefed.upgrade.steps.ZoneStep;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, the simulator: a maintenance release of one series (6.10.0 -> 6.10.3 keeps the shared DB version
 * 6.10.0, release-6.10.3 include/NebulaService.h line 162) and a target whose real shared DB version differs from
 * the release table (SimulationSpec#codeSharedDbVersions), seen through {@code onedb version -v} as OneDB#version
 * prints it (src/onedb/onedb.rb, release-6.10.3 lines 180-191).
 */
class SimulatedMaintenanceReleaseTest {

    @TempDir
    Path tmp;

    static SimulationSpec maintenance() {
        return new SimulationSpec("maint", "pw", "dbpw", 1, List.of(
                SimulationSpec.ZoneSpec.single(0, "M", true, "6.10.0", "6.10.0,6.10.3")));
    }

    /** Switches the repository (same series) and installs exactly 6.10.3, as the package steps do. */
    private static void upgradePackages(SimulatedFederation sim, SimClient ssh) throws Exception {
        ZoneProperties zone = sim.toFederationProperties().zones().get(0);
        StepContext ctx = new StepContext("maint-1", zone, OneVersion.parse("6.10.0"), OneVersion.parse("6.10.3"), null,
                null, "6.10.3-1", null, null);
        for (ZoneStep step : List.of(ZoneStep.STOP_SERVICES, ZoneStep.SWITCH_REPOSITORY, ZoneStep.UPGRADE_PACKAGES)) {
            for (var group : new ZoneCommands().commands(step, ctx)) {
                SimClient.Result r = ssh.exec(0, group.get(0).command().rendered());
                assertThat(r.exit()).as(step + ": " + r.err()).isZero();
            }
        }
        assertThat(sim.installedVersion(0)).isEqualTo("6.10.3");
    }

    @Test
    void aMaintenanceReleaseKeepsTheSharedVersionAndNeedsNoMigration() throws Exception {
        try (SimulatedFederation sim = SimulatedFederation.start(maintenance(), tmp)) {
            SimClient ssh = new SimClient(sim);
            upgradePackages(sim, ssh);
            SimClient.Result v = ssh.exec(0, "onedb version -v");
            assertThat(v.exit()).as("6.10.3's code requires the DB it has").isZero();
            assertThat(v.out()).contains("Shared tables version:   6.10.0\nRequired version:        6.10.0\n");
            assertThat(DbVersionReader.parseRequiredShared(v.out())).contains("6.10.0");
            assertThat(ssh.exec(0, "onedb upgrade -v --no-backup").out()).contains("Database schema is up to date.");
            assertThat(ssh.exec(0, "systemctl start opennebula").exit()).isZero();
        }
    }

    @Test
    void aTargetWhoseCodeRequiresAnotherSharedVersionSaysSoAndOnedRefusesTheOldTables() throws Exception {
        try (SimulatedFederation sim = SimulatedFederation.start(maintenance().withCodeSharedDbVersion("6.10.3", "6.10.3"), tmp)) {
            SimClient ssh = new SimClient(sim);
            upgradePackages(sim, ssh);
            SimClient.Result v = ssh.exec(0, "onedb version -v");
            assertThat(v.exit()).as("update_available: the shared tables are below the code's").isEqualTo(2);
            assertThat(v.out()).contains("Shared tables version:   6.10.0\nRequired version:        6.10.3\n")
                    .contains("Local tables version:    6.10.0\nRequired version:        6.10.0\n");
            assertThat(DbVersionReader.parseRequiredShared(v.out())).contains("6.10.3");
            SimClient.Result terse = ssh.exec(0, "onedb version");
            assertThat(terse.out()).contains("Required shared version: 6.10.3\nRequired local version:  6.10.0\n");
            assertThat(ssh.exec(0, "systemctl start opennebula").exit()).isEqualTo(1);
            assertThat(sim.serverDir(0).resolve("var/log/one/oned.log")).content()
                    .contains("Database version mismatch ( shared)");
        }
    }
}
