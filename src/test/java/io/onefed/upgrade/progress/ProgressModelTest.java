package io.onefed.upgrade.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.progress.ProgressModel.Facts;
import io.onefed.upgrade.progress.ProgressModel.Instance;
import io.onefed.upgrade.progress.ProgressModel.PlanStep;
import io.onefed.upgrade.progress.ProgressModel.Running;
import io.onefed.upgrade.progress.UpgradeProgress.ZoneState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules that turn the engine's facts into zone rows, on hand-made facts shaped like the real processes'. */
class ProgressModelTest {

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final ProgressModel.Links LINKS = new ProgressModel.Links("/camunda");

    /** The plan's phases for a master M (0) and a slave S (100), as PlanService orders them. */
    static final List<PlanStep> PLAN = List.of(
            new PlanStep("federation", "disable-hosts", "Disable hosts"),
            new PlanStep("M", "stop-services", "Stop OpenNebula services"),
            new PlanStep("S", "stop-services", "Stop OpenNebula services"),
            new PlanStep("M", "backup-config", "Back up /etc/one"),
            new PlanStep("M", "upgrade-db", "Upgrade the database (onedb upgrade -v)"),
            new PlanStep("M", "check-api", "Check the zone's API and version"),
            new PlanStep("M", "sync-hosts", "Sync hypervisor hosts"),
            new PlanStep("M", "federated-backup", "Back up federated tables"),
            new PlanStep("M", "checksum-backup", "Checksum the federated backup"),
            new PlanStep("S", "backup-config", "Back up /etc/one"),
            new PlanStep("S", "copy-federated-backup", "Copy the federated backup to the zone"),
            new PlanStep("S", "restore-federated", "Restore federated tables"),
            new PlanStep("S", "upgrade-db", "Upgrade the database (onedb upgrade -v)"));

    final List<Instance> instances = new ArrayList<>();
    final List<Running> running = new ArrayList<>();
    final List<ProgressModel.Task> tasks = new ArrayList<>();
    final List<ProgressModel.Incident> incidents = new ArrayList<>();
    final Map<String, Object> rootVars = new HashMap<>(Map.of("allZoneIds", "0,100", "masterZoneId", 0,
            "fromVersion", "6.10.0", "targetVersion", "7.0.0"));
    Instance root = new Instance("root", "federation-upgrade", null, T0, null, null, rootVars);
    int seconds;

    Instance instance(String key, String superId, Integer zone, String step, boolean ended, String endActivity,
            Map<String, Object> extra) {
        Map<String, Object> vars = new HashMap<>(extra);
        if (zone != null) {
            vars.put("zoneId", zone);
            vars.put("zoneName", zone == 0 ? "M" : "S");
        }
        if (step != null) {
            vars.put("step", step);
        }
        seconds += 10;
        Instance i = new Instance(key + instances.size(), key, superId, T0.plusSeconds(seconds),
                ended ? T0.plusSeconds(seconds + 5) : null, endActivity, vars);
        instances.add(i);
        return i;
    }

    Instance remote(Instance parent, int zone, String step, boolean ended) {
        return instance("remote-step", parent.id(), zone, step, ended, ended ? "StepDone" : null, Map.of());
    }

    UpgradeProgress build() {
        List<Instance> all = new ArrayList<>(instances);
        all.add(root);
        return ProgressModel.build(new Facts("U1", root, all, running, tasks, incidents, PLAN,
                List.of(new ProgressModel.ZoneRef(0, "M", true), new ProgressModel.ZoneRef(100, "S", false))),
                LINKS, T0.plusSeconds(600));
    }

    UpgradeProgress.Zone zone(UpgradeProgress p, int id) {
        return p.zones().stream().filter(z -> z.zoneId() == id).findFirst().orElseThrow();
    }

    @Test
    void zonesWaitWithTheirStepCountFromThePlanBeforeAnythingRuns() {
        UpgradeProgress p = build();
        assertThat(p.state()).isEqualTo("running");
        assertThat(p.planKnown()).isTrue();
        assertThat(p.zones()).extracting(UpgradeProgress.Zone::state).containsExactly(ZoneState.WAITING, ZoneState.WAITING);
        // the federation's own phases belong to no zone: M has 7 steps, S 5
        assertThat(zone(p, 0).stepsTotal()).isEqualTo(7);
        assertThat(zone(p, 100).stepsTotal()).isEqualTo(5);
        assertThat(zone(p, 0).stepsDone()).isZero();
        assertThat(zone(p, 0).elapsedSeconds()).isZero();
    }

    @Test
    void aRunningRemoteStepIsTheCurrentStepAndEveryEarlierStepCountsAsDone() {
        Instance stop = instance("zone-stop", "root", 0, null, true, "ZoneStopped", Map.of());
        remote(stop, 0, "stop-services", true);
        Instance up = instance("zone-upgrade", "root", 0, null, false, null, Map.of());
        remote(up, 0, "backup-config", true);
        Instance db = remote(up, 0, "upgrade-db", false);
        UpgradeProgress p = build();
        UpgradeProgress.Zone m = zone(p, 0);
        assertThat(m.state()).isEqualTo(ZoneState.RUNNING);
        assertThat(m.currentStep()).isEqualTo("Upgrade the database (onedb upgrade -v)");
        assertThat(m.stepsDone()).isEqualTo(2);
        assertThat(m.started()).isEqualTo(stop.start());
        assertThat(m.ended()).isNull();
        assertThat(m.elapsedSeconds()).isEqualTo(600 - 10);

        // the step ends well: three done; then the API check (no instance of its own) runs: still three
        instances.remove(db);
        instances.add(new Instance(db.id(), db.definitionKey(), db.superId(), db.start(), db.start().plusSeconds(3),
                "StepDone", db.vars()));
        assertThat(zone(build(), 0).stepsDone()).isEqualTo(3);
        running.add(new Running(up.id(), "CheckZoneApi", "Check the zone's API and version", "serviceTask",
                T0.plusSeconds(100)));
        UpgradeProgress.Zone checking = zone(build(), 0);
        assertThat(checking.stepsDone()).isEqualTo(3);
        assertThat(checking.currentStep()).isEqualTo("Check the zone's API and version");
        // ...and once the next remote step started, the check counts as done
        running.clear();
        remote(up, 0, "sync-hosts", false);
        assertThat(zone(build(), 0).stepsDone()).isEqualTo(4);
        // the slave still waits for its turn after its stop
        remote(instance("zone-stop", "root", 100, null, true, "ZoneStopped", Map.of()), 100, "stop-services", true);
        UpgradeProgress.Zone s = zone(build(), 100);
        assertThat(s.state()).isEqualTo(ZoneState.WAITING);
        assertThat(s.stepsDone()).isEqualTo(1);
        assertThat(s.currentStep()).isEqualTo("waiting for its turn");
        assertThat(s.ended()).isNotNull();
    }

    @Test
    void betweenTwoStepsTheNextOneIsShownAsStarting() {
        Instance up = instance("zone-upgrade", "root", 100, null, false, null, Map.of());
        remote(up, 100, "backup-config", true);
        // the copy's job waits for a thread: no activity of it has started
        UpgradeProgress.Zone s = zone(build(), 100);
        assertThat(s.state()).isEqualTo(ZoneState.RUNNING);
        assertThat(s.stepsDone()).isEqualTo(2);
        assertThat(s.currentStep()).isEqualTo("Copy the federated backup to the zone (starting)");
    }

    /**
     * Each zone's stop starts in a job of its own ("Zone stop requested" is asynchronous): until that job runs, the
     * zone's instance exists and none of its steps does. The read once failed there (index -1) with a 500.
     */
    @Test
    void aZoneWhoseFirstStepHasNotStartedShowsItAsStarting() {
        instance("zone-stop", "root", 100, null, false, null, Map.of());
        UpgradeProgress.Zone s = zone(build(), 100);
        assertThat(s.state()).isEqualTo(ZoneState.RUNNING);
        assertThat(s.stepsDone()).isZero();
        assertThat(s.currentStep()).isEqualTo("Stop OpenNebula services (starting)");
    }

    @Test
    void theMasterIsDoneOnlyAfterTheFederatedBackupIsChecksummed() {
        Instance up = instance("zone-upgrade", "root", 0, null, true, "ZoneUpgraded", Map.of("zoneOutcome", "UPGRADED"));
        remote(up, 0, "sync-hosts", true);
        remote(root, 0, "federated-backup", true);
        running.add(new Running("root", "ChecksumBackup", "Checksum the federated backup", "serviceTask", T0.plusSeconds(90)));
        UpgradeProgress.Zone m = zone(build(), 0);
        assertThat(m.state()).isEqualTo(ZoneState.RUNNING);
        assertThat(m.stepsDone()).isEqualTo(6);
        assertThat(m.currentStep()).isEqualTo("Checksum the federated backup");
        running.clear();
        rootVars.put("federatedBackupSha256", "ab12");
        m = zone(build(), 0);
        assertThat(m.state()).isEqualTo(ZoneState.DONE);
        assertThat(m.stepsDone()).isEqualTo(m.stepsTotal()).isEqualTo(7);
    }

    /** Zone by zone (issue 14) the master takes no federated backup: its upgraded zone-upgrade is the end of it. */
    @Test
    void zoneByZoneTheMasterIsDoneWithoutAFederatedBackup() {
        rootVars.put("procedure", "ZONE_BY_ZONE");
        Instance rolling = instance("rolling-upgrade", "root", null, null, false, null, Map.of());
        Instance up = instance("zone-upgrade", rolling.id(), 0, null, true, "ZoneUpgraded", Map.of("zoneOutcome", "UPGRADED"));
        remote(up, 0, "sync-hosts", true);
        assertThat(zone(build(), 0).state()).isEqualTo(ZoneState.DONE);
        rootVars.remove("procedure");
        assertThat(zone(build(), 0).state()).as("federated: the checksum is still to come").isNotEqualTo(ZoneState.DONE);
    }

    @Test
    void anIncidentTurnsItsZoneFailedWithACockpitLinkToTheFailedInstance() {
        Instance up = instance("zone-upgrade", "root", 100, null, false, null, Map.of());
        Instance step = remote(up, 100, "restore-federated", false);
        incidents.add(new ProgressModel.Incident("inc1", step.id(), "RunStepCommands", "s-us-ca: connection lost\nmore",
                T0.plusSeconds(50)));
        UpgradeProgress p = build();
        UpgradeProgress.Zone s = zone(p, 100);
        assertThat(p.state()).isEqualTo("incident");
        assertThat(s.state()).isEqualTo(ZoneState.FAILED);
        assertThat(s.incidents()).singleElement().satisfies(i -> {
            assertThat(i.link()).isEqualTo("/camunda/app/cockpit/default/#/process-instance/" + step.id() + "/runtime");
            assertThat(i.zone()).isEqualTo("S");
            assertThat(i.message()).startsWith("s-us-ca: connection lost");
        });
        // the steps before it (stop, backup, the copy without an instance of its own) count as done
        assertThat(s.stepsDone()).isEqualTo(3);
        assertThat(zone(p, 0).incidents()).isEmpty();
        assertThat(p.incidents()).hasSize(1);
    }

    @Test
    void aFailedStepWaitingForADecisionIsFailedWithATasklistLink() {
        Instance up = instance("zone-upgrade", "root", 100, null, false, null, Map.of());
        Instance step = remote(up, 100, "upgrade-db", false);
        running.add(new Running(step.id(), "DecideFailedStep", "Decide on the failed step", "userTask", T0.plusSeconds(70)));
        tasks.add(new ProgressModel.Task("t1", "Decide on the failed step", step.id(), T0.plusSeconds(70)));
        tasks.add(new ProgressModel.Task("t0", "Approve re-enabling API access", "root", T0.plusSeconds(71)));
        UpgradeProgress p = build();
        UpgradeProgress.Zone s = zone(p, 100);
        assertThat(s.state()).isEqualTo(ZoneState.FAILED);
        assertThat(s.currentStep()).isEqualTo("Upgrade the database (onedb upgrade -v) (failed: Decide on the failed step)");
        assertThat(s.approvals()).singleElement().satisfies(a -> {
            assertThat(a.link()).isEqualTo("/camunda/app/tasklist/default/#/?task=t1");
            assertThat(a.zone()).isEqualTo("S");
        });
        assertThat(p.approvals()).extracting(UpgradeProgress.Approval::zone).containsExactly("S", null);
        assertThat(p.state()).isEqualTo("waiting for approval");
    }

    @Test
    void anAbortedZoneAndAZoneTheEndedUpgradeNeverReachedAreAborted() {
        instance("zone-upgrade", "root", 100, null, true, "ZoneAborted", Map.of("zoneOutcome", "ABORTED"));
        assertThat(zone(build(), 100).state()).isEqualTo(ZoneState.ABORTED);
        instances.clear();
        rootVars.put("upgradeOutcome", "REJECTED");
        root = new Instance("root", "federation-upgrade", null, T0, T0.plusSeconds(30), "Rejected", rootVars);
        UpgradeProgress p = build();
        assertThat(p.state()).isEqualTo("rejected");
        assertThat(p.elapsedSeconds()).isEqualTo(30);
        assertThat(p.zones()).extracting(UpgradeProgress.Zone::state).containsOnly(ZoneState.ABORTED);
    }

    @Test
    void aRetriedZoneCountsOnlyItsLatestAttempt() {
        Instance first = instance("zone-upgrade", "root", 100, null, true, "ZoneAborted", Map.of("zoneOutcome", "ABORTED"));
        remote(first, 100, "backup-config", true);
        remote(first, 100, "restore-federated", true);
        Instance second = instance("zone-upgrade", "root", 100, null, false, null, Map.of());
        remote(second, 100, "backup-config", false);
        UpgradeProgress.Zone s = zone(build(), 100);
        assertThat(s.state()).isEqualTo(ZoneState.RUNNING);
        // the stop before it, not the first attempt's restore
        assertThat(s.stepsDone()).isEqualTo(1);
    }

    @Test
    void withoutAPlanTheStepsAreUnknownButTheStateIsNot() {
        Instance up = instance("zone-stop", "root", 0, null, false, null, Map.of());
        remote(up, 0, "stop-services", false);
        List<Instance> all = new ArrayList<>(instances);
        UpgradeProgress p = ProgressModel.build(new Facts("U1", root, all, running, tasks, incidents, null,
                List.of(new ProgressModel.ZoneRef(0, "M", true))), LINKS, T0.plusSeconds(60));
        assertThat(p.planKnown()).isFalse();
        assertThat(p.zones().get(0).stepsTotal()).isZero();
        assertThat(p.zones().get(0).state()).isEqualTo(ZoneState.RUNNING);
        assertThat(p.zones().get(0).currentStep()).isEqualTo("Stop OpenNebula services");
    }

    @Test
    void theStatesReadAsTheStatusEndpointNamesThem() {
        assertThat(ProgressModel.state(true, "COMPLETED_WITH_FAILED_SLAVES", false, false)).isEqualTo("completed");
        assertThat(ProgressModel.state(true, "ABORTED", false, false)).isEqualTo("aborted");
        assertThat(ProgressModel.state(false, null, true, true)).isEqualTo("incident");
        assertThat(ProgressModel.state(false, null, false, true)).isEqualTo("waiting for approval");
    }
}
