package io.onefed.upgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.OsFamily;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.DefaultOneClients;
import io.onefed.upgrade.opennebula.OneClientProperties;
import io.onefed.upgrade.ssh.JschRemoteShell;
import io.onefed.upgrade.ssh.JschSessions;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.steps.Check;
import io.onefed.upgrade.steps.FrontendPackages;
import io.onefed.upgrade.steps.OneVersion;
import io.onefed.upgrade.steps.PreflightService;
import io.onefed.upgrade.steps.StepContext;
import io.onefed.upgrade.steps.ZoneCommands;
import io.onefed.upgrade.steps.ZoneStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, points 2 to 5, against the simulated front-ends of the demo federation (6.10.0.1 installed, changed
 * oned.conf, a 7.0 repository with 7.0.0 and 7.0.1, zone 101 set up with the older apt key instructions). Each
 * test runs the command the orchestrator used before this change and shows the simulator refuses it as the
 * real tool does, then runs the command {@link ZoneCommands} / {@link FrontendPackages} render now.
 */
class SimulatedPackagesTest {

    /** The package step before issue 11 (ZoneCommands.upgradePackages, APT). */
    static final String OLD_APT_UPGRADE = "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install"
            + " --only-upgrade -y opennebula opennebula-common opennebula-common-onecfg opennebula-tools opennebula-libs"
            + " opennebula-rubygems opennebula-flow opennebula-gate opennebula-fireedge opennebula-guacd"
            + " && dpkg-query -W -f='${Version}\\n' opennebula";
    static final String DPKG_KEEP = " -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold";

    @TempDir
    Path tmp;

    SimulatedFederation sim;
    SimClient ssh;
    FederationProperties federation;

    @AfterEach
    void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    private void start(SimulationSpec spec) {
        sim = SimulatedFederation.start(spec, tmp.resolve(spec.name()));
        ssh = new SimClient(sim);
        federation = sim.toFederationProperties();
    }

    private ZoneProperties zone(int id) {
        return federation.zones().stream().filter(z -> z.id() == id).findFirst().orElseThrow();
    }

    private StepContext ctx(int zone, String packageVersion) {
        return new StepContext("pkg-1", zone(zone), OneVersion.parse("6.10.0.1"), OneVersion.parse("7.0.0"), null,
                null, packageVersion, null, null);
    }

    private String render(ZoneStep step, StepContext ctx) {
        return new ZoneCommands().commands(step, ctx).get(0).get(0).command().rendered();
    }

    private SimClient.Result run(int zone, String command) throws Exception {
        return ssh.exec(zone, command);
    }

    private void switchRepository(int zone) throws Exception {
        SimClient.Result r = run(zone, render(ZoneStep.SWITCH_REPOSITORY, ctx(zone, null)));
        assertThat(r.exit()).as(r.err()).isZero();
    }

    /**
     * onecfg's upgrade is an "EE" command loaded from lib/ee (src/onecfg/bin/onecfg), which CE 6.x lacks: there the
     * old step ({@code onecfg upgrade} when onecfg exists) "succeeded" by printing the help. The step now says
     * the configuration was kept; on 7.0 without the migration package onecfg fails and so does the step.
     */
    @Test
    void onecfgUpgradeIsNeverASilentNoOp() throws Exception {
        start(new SimulationSpec("cfg", "pw", "dbpw", 1, List.of(SimulationSpec.ZoneSpec.single(0, "M", true,
                "6.10.0.1", "7.0.0,7.0.1"))));
        SimClient.Result old = run(0, "if command -v onecfg >/dev/null 2>&1; then onecfg upgrade; else echo kept; fi");
        assertThat(old.exit()).isZero();
        assertThat(old.out()).startsWith("## SYNOPSIS").doesNotContain("Configuration updated");
        SimClient.Result now = run(0, render(ZoneStep.UPGRADE_CONFIG, ctx(0, null)));
        assertThat(now.exit()).isZero();
        assertThat(now.out()).contains("onecfg has no 'upgrade' command in this edition (it printed its help)");

        switchRepository(0);
        // 7.0's server without opennebula-migration: onecfg has the command but no migrators
        assertThat(run(0, "apt-get update && apt-get install -y" + DPKG_KEEP + " opennebula=7.0.0-1").exit()).isZero();
        SimClient.Result noMigrators = run(0, render(ZoneStep.UPGRADE_CONFIG, ctx(0, null)));
        assertThat(noMigrators.exit()).isEqualTo(255);
        assertThat(noMigrators.out()).contains("FATAL : FAILED - No migrators");
        assertThat(run(0, render(ZoneStep.UPGRADE_PACKAGES, ctx(0, "7.0.0-1"))).exit()).isZero();
        SimClient.Result migrated = run(0, render(ZoneStep.UPGRADE_CONFIG, ctx(0, null)));
        assertThat(migrated.exit()).as(migrated.out()).isZero();
        assertThat(migrated.out()).contains("ANY   : Configuration updated to 7.0.0").doesNotContain("no 'upgrade'");
    }

    /** Point 2: catches the old package command, which did not answer dpkg's conffile prompt. */
    @Test
    void crossSeriesAptUpgradeFailsAtTheConffilePromptUnlessTheCurrentFilesAreKept() throws Exception {
        start(SimulatedFederation.guideSpec());
        switchRepository(0);
        SimClient.Result old = run(0, OLD_APT_UPGRADE);
        assertThat(old.exit()).isEqualTo(100);
        assertThat(old.out()).contains("Configuration file '/etc/one/oned.conf'");
        assertThat(old.err()).contains("end of file on stdin at conffile prompt")
                .contains("E: Sub-process /usr/bin/dpkg returned an error code (1)");
        assertThat(run(0, "dpkg-query -W -f='${Status}' opennebula").out()).isEqualTo("install ok half-configured");
        assertThat(run(0, "apt-get install -y opennebula").err()).contains("dpkg was interrupted");

        sim.close();
        start(new SimulationSpec("kept", "pw", "dbpw", 1, List.of(SimulationSpec.ZoneSpec.single(0, "M", true,
                "6.10.0.1", "7.0.0,7.0.1"))));
        String before = Files.readString(sim.serverDir(0).resolve("etc/one/oned.conf"));
        switchRepository(0);
        SimClient.Result now = run(0, render(ZoneStep.UPGRADE_PACKAGES, ctx(0, "7.0.0-1")));
        assertThat(now.exit()).as(now.err()).isZero();
        assertThat(now.out()).contains("Installing new version of config file /etc/one/oned.conf.dpkg-dist");
        assertThat(Files.readString(sim.serverDir(0).resolve("etc/one/oned.conf"))).isEqualTo(before)
                .contains("MODE          = \"MASTER\"");
        assertThat(run(0, "dpkg-query -W -f='${Status}' opennebula").out()).isEqualTo("install ok installed");
    }

    /** Point 3: catches the old package list, which never installed the migrators onedb upgrade needs. */
    @Test
    void onedbUpgradeNeedsTheMigrationPackageTheGuideListsAtTheServersVersion() throws Exception {
        start(SimulatedFederation.guideSpec());
        switchRepository(0);
        assertThat(run(0, "systemctl stop opennebula").exit()).isZero();
        // the old list, even with dpkg's prompt answered
        SimClient.Result old = run(0, OLD_APT_UPGRADE.replace("apt-get install", "apt-get install" + DPKG_KEEP));
        assertThat(old.exit()).as(old.err()).isZero();
        SimClient.Result failed = run(0, "onedb upgrade -v --no-backup");
        assertThat(failed.exit()).isEqualTo(255);
        assertThat(failed.err()).contains("wasn't successful due to missing migration descriptors");

        String command = render(ZoneStep.UPGRADE_PACKAGES, ctx(0, "7.0.1-1"));
        // the guide's order: opennebula opennebula-gate opennebula-flow opennebula-fireedge opennebula-migration python3-pyone
        assertThat(command).containsSubsequence("opennebula=7.0.1-1", "opennebula-gate=7.0.1-1", "opennebula-flow=7.0.1-1",
                "opennebula-fireedge=7.0.1-1", "opennebula-migration=7.0.1-1", "python3-pyone=7.0.1-1");
        SimClient.Result now = run(0, command);
        assertThat(now.exit()).as(now.err()).isZero();
        assertThat(run(0, "dpkg-query -W -f='${Version}' opennebula-migration opennebula-guacd").out())
                .isEqualTo("7.0.1-17.0.1-1");
        SimClient.Result migrated = run(0, "onedb upgrade -v --no-backup");
        assertThat(migrated.exit()).as(migrated.err()).isZero();
        assertThat(sim.dbSharedVersion(0)).isEqualTo("7.0.0");
    }

    /** CE 6.x: opennebula-migration-community depends on the new server packages (OpenNebula/one #4998). */
    @Test
    void theCommunityMigrationPackageIsInstalledOnlyAfterTheServer() throws Exception {
        start(new SimulationSpec("ce68", "pw", "dbpw", 1, List.of(SimulationSpec.ZoneSpec.single(0, "M", true,
                "6.8.0", "6.10.0,6.10.0.1"))));
        StepContext ctx = new StepContext("pkg-1", zone(0), OneVersion.parse("6.8.0"), OneVersion.parse("6.10.0.1"),
                null, null, "6.10.0.1-1", null, null);
        assertThat(run(0, render(ZoneStep.SWITCH_REPOSITORY, ctx)).exit()).isZero();
        SimClient.Result first = run(0, "apt-get update >/dev/null && apt-get install -y" + DPKG_KEEP
                + " opennebula-migration-community=6.10.0.1-1");
        assertThat(first.exit()).isEqualTo(100);
        assertThat(first.out()).contains("opennebula-migration-community : Depends: opennebula (= 6.10.0.1-1)");
        SimClient.Result now = run(0, render(ZoneStep.UPGRADE_PACKAGES, ctx));
        assertThat(now.exit()).as(now.err()).isZero();
        assertThat(now.out()).endsWith("6.10.0.1-1\n");
        assertThat(run(0, "dpkg-query -W -f='${Version}' opennebula-migration-community").out()).isEqualTo("6.10.0.1-1");
    }

    /**
     * Point 4: catches the unpinned install, which takes the series' newest patch (7.0.1) where 7.0.0 was
     * approved, and shows an exact version the repository lacks is refused as apt refuses it.
     */
    @Test
    void aSeriesRepositoryInstallsItsNewestPatchUnlessTheVersionIsPinned() throws Exception {
        start(SimulatedFederation.guideSpec());
        for (int z : List.of(0, 100)) {
            switchRepository(z);
        }
        SimClient.Result unpinned = run(0, render(ZoneStep.UPGRADE_PACKAGES, ctx(0, null)));
        assertThat(unpinned.exit()).as(unpinned.err()).isZero();
        assertThat(sim.installedVersion(0)).isEqualTo("7.0.1");

        SimClient.Result pinned = run(100, render(ZoneStep.UPGRADE_PACKAGES, ctx(100, "7.0.0-1")));
        assertThat(pinned.exit()).as(pinned.err()).isZero();
        assertThat(pinned.out()).endsWith("7.0.0-1\n");
        assertThat(sim.installedVersion(100)).isEqualTo("7.0.0");

        SimClient.Result missing = run(100, "apt-get install -y opennebula=7.0.9-1");
        assertThat(missing.exit()).isEqualTo(100);
        assertThat(missing.err()).isEqualTo("E: Version '7.0.9-1' for 'opennebula' was not found\n");
    }

    /** Point 4: the preflight's repository query reads the target repository and leaves the host as it was. */
    @Test
    void theRepositoryQueryFindsTheExactVersionWithoutChangingTheHost() throws Exception {
        start(SimulatedFederation.guideSpec());
        Path list = sim.serverDir(101).resolve("etc/apt/sources.list.d/opennebula.list");
        String before = Files.readString(list);
        SimClient.Result q = run(101, FrontendPackages.repositoryQuery(zone(101), OneVersion.parse("7.0.0")).rendered());
        assertThat(q.exit()).as(q.err()).isZero();
        FrontendPackages.RepositoryView view = FrontendPackages.parse(q.out());
        assertThat(view.offered().get("opennebula")).containsExactlyInAnyOrder("7.0.0-1", "7.0.1-1");
        assertThat(view.exactVersion(OneVersion.parse("7.0.0"))).contains("7.0.0-1");
        assertThat(view.exactVersion(OneVersion.parse("7.0.2"))).isEmpty();
        assertThat(view.offers("opennebula-migration", "7.0.0-1")).isTrue();
        assertThat(view.offered()).doesNotContainKey("opennebula-sunstone");
        assertThat(view.installed()).contains("opennebula", "opennebula-guacd").doesNotContain("opennebula-migration");
        assertThat(view.keyringPresent()).isFalse();
        // nothing changed: sources, lists, keyring, installed version
        assertThat(Files.readString(list)).isEqualTo(before);
        assertThat(sim.serverDir(101).resolve("sim/apt-lists/opennebula-sim")).doesNotExist();
        assertThat(sim.serverDir(101).resolve("etc/apt/keyrings/opennebula.gpg")).doesNotExist();
        assertThat(sim.installedVersion(101)).isEqualTo("6.10.0.1");
    }

    /** Point 4: the preflight pins each zone's exact version, and blocks a target the repositories lack. */
    @Test
    void preflightRecordsTheExactPackageVersionPerZoneAndBlocksAMissingOne() {
        start(SimulatedFederation.guideSpec());
        SecretResolver secrets = new SecretResolver();
        try (JschSessions sessions = new JschSessions(federation.ssh(), secrets)) {
            PreflightService preflight = new PreflightService(federation,
                    new DefaultOneClients(federation, secrets, OneClientProperties.defaults()),
                    new JschRemoteShell(sessions, secrets), 1024);
            PreflightService.Result ok = preflight.run("7.0.0", 0);
            assertThat(ok.fromVersion()).isEqualTo("6.10.0.1");
            assertThat(ok.checks()).filteredOn(c -> !c.passed()).isEmpty();
            assertThat(ok.verdict()).isEqualTo(PreflightService.Verdict.OK);
            assertThat(ok.zonePackageVersions()).isEqualTo("0=7.0.0-1,100=7.0.0-1,101=7.0.0-1");
            assertThat(ok.summary()).contains("6.10.0.1")
                    .contains("Package versions to install (zone=version): 0=7.0.0-1,100=7.0.0-1,101=7.0.0-1");
            assertThat(ok.checks()).extracting(Check::line).anyMatch(l -> l.contains("S-US-CA: repository key")
                    && l.contains("is missing") && l.contains("the repository step installs"));

            PreflightService.Result missing = preflight.run("7.0.2", 0);
            assertThat(missing.verdict()).isEqualTo(PreflightService.Verdict.BLOCKED);
            assertThat(missing.zonePackageVersions()).isEmpty();
            assertThat(missing.checks()).filteredOn(c -> !c.passed()).extracting(Check::detail)
                    .anyMatch(d -> d.contains("opennebula 7.0.2 is not in the repository (it offers 7.0.1-1, 7.0.0-1)"));
        }
        assertThat(sim.installedVersion(0)).isEqualTo("6.10.0.1");
    }

    /**
     * The target's and the running release's repository queries of one front-end run side by side (each in a
     * lists directory of its own, so the simulated apt-get, like the real one, takes no lock for them): the
     * preflight of a front-end costs one query's time, not two.
     */
    @Test
    void preflightQueriesBothRepositoriesOfAFrontEndSideBySide() throws Exception {
        start(SimulatedFederation.guideSpec());
        sim.faults().latency(java.time.Duration.ofMillis(400));
        SecretResolver secrets = new SecretResolver();
        try (JschSessions sessions = new JschSessions(federation.ssh(), secrets)) {
            PreflightService.Result ok = new PreflightService(federation,
                    new DefaultOneClients(federation, secrets, OneClientProperties.defaults()),
                    new JschRemoteShell(sessions, secrets), 1024).run("7.0.0", 0);
            assertThat(ok.verdict()).isEqualTo(PreflightService.Verdict.OK);
            assertThat(ok.checks()).extracting(Check::name).contains("target repository offers 7.0.0 (m-eu-fr-1)",
                    "rollback: 6.10 repository still offers 6.10.0.1 (m-eu-fr-1)");
        }
        List<String[]> updates = Files.readAllLines(sim.serverDir(0).resolve("command-times.log")).stream()
                .map(l -> l.split(" ", 4)).filter(f -> f[3].equals("apt-get")).toList();
        assertThat(updates).hasSize(2);
        java.time.Instant firstEnd = java.time.Instant.parse(updates.get(0)[1]);
        java.time.Instant secondStart = java.time.Instant.parse(updates.get(1)[0]);
        assertThat(secondStart).as("the second query's apt-get update starts before the first one's ends")
                .isBefore(firstEnd);
    }

    /** Point 5: catches the old repository step, which wrote a signed-by line naming a keyring the host lacks. */
    @Test
    void theRepositoryStepInstallsTheCurrentKeyWhereOlderInstructionsLeftNone() throws Exception {
        start(SimulatedFederation.guideSpec());
        String repo = sim.serverDir(101).resolve("etc/apt/sources.list.d/opennebula.list").toString();
        SimClient.Result old = run(101, RemoteCommand.of(". /etc/os-release && printf {} \"$VERSION_ID\" > {} && cat {}",
                "deb [signed-by=/etc/apt/keyrings/opennebula.gpg] https://downloads.opennebula.io/repo/7.0/Debian/%s"
                        + " stable opennebula\\n", repo, repo).rendered() + " && apt-get update");
        assertThat(old.exit()).isEqualTo(100);
        assertThat(old.err()).contains("NO_PUBKEY").contains("stable InRelease' is not signed.");

        SimClient.Result now = run(101, render(ZoneStep.SWITCH_REPOSITORY, ctx(101, null)) + " && apt-get update");
        assertThat(now.exit()).as(now.err()).isZero();
        assertThat(now.out()).contains("installed OpenNebula's repository key");
        assertThat(Files.readString(sim.serverDir(101).resolve("etc/apt/keyrings/opennebula.gpg")))
                .startsWith("SIMULATED-KEYRING");
        assertThat(sim.commandLog(101, "wget")).singleElement().asString().contains(FrontendPackages.KEY_URL);
        // where the key is there, the step leaves it alone
        assertThat(run(0, render(ZoneStep.SWITCH_REPOSITORY, ctx(0, null))).out()).doesNotContain("repository key");
        assertThat(sim.commandLog(0, "wget")).isEmpty();
    }

    /** RPM keeps the changed oned.conf (the packaged one as .rpmnew); dnf takes an exact version too. */
    @Test
    void dnfInstallsTheExactVersionAndKeepsChangedConfigFiles() throws Exception {
        start(new SimulationSpec("alma", "pw", "dbpw", 1, List.of(SimulationSpec.ZoneSpec.single(0, "ALMA", true,
                "6.10.0.1", "7.0.0,7.0.1").withOsFamily(OsFamily.ALMALINUX).withDbBackend("sqlite"))));
        SimClient.Result q = run(0, FrontendPackages.repositoryQuery(zone(0), OneVersion.parse("7.0.0")).rendered());
        assertThat(q.exit()).as(q.err()).isZero();
        FrontendPackages.RepositoryView view = FrontendPackages.parse(q.out());
        assertThat(view.exactVersion(OneVersion.parse("7.0.0"))).contains("7.0.0-1.el9");
        assertThat(sim.serverDir(0).resolve("etc/yum.repos.d/opennebula.repo")).content().contains("/repo/6.10/");

        switchRepository(0);
        SimClient.Result missing = run(0, "dnf -y install opennebula-7.0.9");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("Unable to find a match: opennebula-7.0.9");
        SimClient.Result up = run(0, render(ZoneStep.UPGRADE_PACKAGES, ctx(0, "7.0.0-1.el9")));
        assertThat(up.exit()).as(up.err()).isZero();
        assertThat(up.out()).contains("oned.conf created as /etc/one/oned.conf.rpmnew").endsWith("7.0.0\n");
        assertThat(sim.serverDir(0).resolve("etc/one/oned.conf")).content().contains("MODE          = \"MASTER\"");
        assertThat(run(0, "rpm -q --qf '%{VERSION}' opennebula-migration").out()).isEqualTo("7.0.0");
    }

    @Test
    void fourPartVersionsParseAndOrder() {
        OneVersion ce = OneVersion.parse("6.10.0.1");
        assertThat(ce.toString()).isEqualTo("6.10.0.1");
        assertThat(ce.isAfter(OneVersion.parse("6.10.0"))).isTrue();
        assertThat(OneVersion.parse("7.0.0").isAfter(ce)).isTrue();
        assertThat(OneVersion.parse("6.10.0.1-1.el9")).isEqualTo(ce);
        assertThat(ce.sameSeries(OneVersion.parse("6.10.3"))).isTrue();
        assertThat(SimulationSpec.ZoneSpec.single(0, "M", true, "6.10.0.1", "7.0.0,7.0.1").offeredVersions())
                .containsExactly("7.0.0", "7.0.1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SimulationSpec.ZoneSpec.single(0, "M", true, "6.10", "7.0.0"))
                .hasMessageContaining("zones[id=0].installed").hasMessageContaining("MAJOR.MINOR.PATCH[.BUILD]");
    }
}
