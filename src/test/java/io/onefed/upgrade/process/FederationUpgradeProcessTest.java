package io.onefed.upgrade.process;

import static io.onefed.upgrade.process.ProcessTestSupport.decide;
import static io.onefed.upgrade.process.ProcessTestSupport.fireTimers;
import static io.onefed.upgrade.process.ProcessTestSupport.runJobs;
import static io.onefed.upgrade.process.ProcessTestSupport.startVariables;
import static io.onefed.upgrade.process.ProcessTestSupport.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

/**
 * Every path of {@code federation-upgrade} and the zone processes it calls, on an in-memory federation: the real
 * delegates and services, the engine's own persistence, and jobs run one by one by the test.
 */
class FederationUpgradeProcessTest extends ProcessTestBase {

    ProcessInstance start(FakeFederation fed, String target, int maxParallel) {
        ProcessTestSupport.register(fed);
        FakeFederation.TARGET = target;
        Map<String, Object> vars = startVariables(fed, target, maxParallel);
        ProcessInstance pi = engine.getRuntimeService().startProcessInstanceByKey("federation-upgrade",
                (String) vars.get("upgradeId"), vars);
        runJobs(engine);
        return pi;
    }

    void approveStart() {
        decide(engine, "ApproveStart", "approve", "change CHG-1234 approved by the board");
        runJobs(engine);
    }

    void approveReenable() {
        decide(engine, "ApproveReenable", "approve", "post-checks look good");
        runJobs(engine);
    }

    /**
     * Issue 15: the federated backup goes to each slave in pieces, one job per piece (CopyFederatedBackup loops on
     * itself); the job of one piece fails after writing (a crash before its commit), and its retry takes the same
     * piece again from the committed resume point. Each slave's copy is completed once.
     */
    @Test
    void aCopyGoesInPiecesOneJobEachAndAFailedPieceIsRetriedFromTheCommittedPoint() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.copyPieces = 3;
        fed.crashAtPiece = 1;
        ProcessInstance pi = start(fed, "7.0.0", 5);
        approveStart();
        // the failed piece's job is retried (by the retry cycle in production, here at once)
        List<Job> failed = engine.getManagementService().createJobQuery().withException().list();
        assertThat(failed).hasSize(1);
        engine.getManagementService().setJobRetries(failed.get(0).getId(), 1);
        engine.getManagementService().setJobDuedate(failed.get(0).getId(), new java.util.Date(0));
        runJobs(engine);
        approveReenable();
        assertThat(pi).isEnded();

        Map<String, List<String>> pieces = new java.util.TreeMap<>();
        fed.started.stream().filter(c -> c.contains(": piece ") || c.contains(": copy ")).forEach(c -> pieces
                .computeIfAbsent(c.substring(0, c.indexOf('/')), z -> new java.util.ArrayList<>())
                .add(c.contains(": piece ") ? c.substring(c.indexOf(": piece ") + 2, c.indexOf(" of ")) : "copy"));
        assertThat(pieces).hasSize(2);
        assertThat(pieces.values()).containsExactlyInAnyOrder(
                List.of("piece 0", "piece 1", "piece 1", "piece 2", "copy"),
                List.of("piece 0", "piece 1", "piece 2", "copy"));
        long copyJobs = engine.getHistoryService().createHistoricActivityInstanceQuery()
                .activityId("CopyFederatedBackup").count();
        assertThat(copyJobs).as("one activity instance per committed piece").isEqualTo(6);
    }

    @Test
    void happyPathUpgradesEveryZoneInTheGuidesOrder() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessInstance pi = start(fed, "7.0.0", 5);

        assertThat(pi).isWaitingAt("ApproveStart");
        assertThat(fed.started).as("preflight changes nothing").isEmpty();
        assertThat((String) engine.getRuntimeService().getVariable(pi.getId(), "preflightSummary"))
                .contains("M-EU-FR").contains("715438").contains("[ok]");

        approveStart();
        assertThat(pi).isWaitingAt("ApproveReenable");
        approveReenable();

        assertThat(pi).isEnded().hasPassedInOrder("RunPreflight", "ApproveStart", "RecordEnabledHosts", "DisableHosts",
                "BlockApiAccess", "StopAllZones", "UpgradeMaster", "FederatedBackup", "ChecksumBackup",
                "UpgradeSlaveBatch", "CollectSlaveOutcomes", "RunPostChecks", "ApproveReenable", "EnableApiAccess",
                "EnableHosts", "FederationUpgraded");
        assertThat(engine.getHistoryService().createHistoricVariableInstanceQuery().processInstanceId(pi.getId())
                .variableName("upgradeOutcome").singleResult().getValue()).isEqualTo("COMPLETED");
        for (FakeFederation.Zone z : fed.zones.values()) {
            assertThat(z.version).as(z.config.name()).isEqualTo("7.0.0");
            assertThat(z.enabled).as(z.config.name() + " enabled").isTrue();
            assertThat(z.hostStates.get(z.config.id() * 10)).as("host re-enabled").isEqualTo(2);
            assertThat(z.hostStates.get(z.config.id() * 10 + 1)).as("host disabled by an operator stays so").isEqualTo(4);
        }
        // each changing command exactly once per zone
        assertThat(fed.count("apt-get install")).isEqualTo(3);
        // the preflight's exact version reaches every zone's package step (zonePackageVersions through the call activities)
        assertThat(fed.count("pk=\"$pk opennebula=7.0.0-1\"")).isEqualTo(3);
        assertThat(fed.count("onedb upgrade -v")).isEqualTo(3);
        assertThat(fed.count("onedb backup -v -f --federated")).isEqualTo(1);
        assertThat(fed.count("onedb restore")).isEqualTo(2);
        assertThat(fed.count("M-EU-FR/m-eu-fr-fe0: onedb restore")).isZero();
        // the guide's order: slaves disabled before the master, master enabled before the slaves,
        // master upgraded and backed up before any slave restores
        List<String> log = fed.started;
        assertThat(indexOf(log, "S-EU-GE/api: zone.enable false")).isLessThan(indexOf(log, "M-EU-FR/api: zone.enable false"));
        assertThat(indexOf(log, "M-EU-FR/api: zone.enable true")).isLessThan(indexOf(log, "S-EU-GE/api: zone.enable true"));
        assertThat(indexOf(log, "M-EU-FR/m-eu-fr-fe0: apt-get")).isLessThan(indexOf(log, "--federated"));
        assertThat(indexOf(log, "--federated")).isLessThan(indexOf(log, "onedb restore"));
        assertThat(lastIndexOf(log, "systemctl stop")).isLessThan(indexOf(log, "apt-get"));
        assertThat(indexOf(log, "host.status 0 DISABLED")).isLessThan(indexOf(log, "zone.enable false"));
    }

    /**
     * Issue 15's step boundary: a step that follows another starts in the job that ended it ("Start the step's
     * commands", {@link EarlyStart}), once per job. The fake's commands end as they start, so such a step ends in
     * that job too and never needs a poll of its own; the step after it does (the job has had its one start). A
     * zone's first step starts in the job that starts the zone ("Zone stop requested" is asynchronous), not in the
     * job that fans the zones out. Every command still runs once.
     */
    @Test
    void aStepThatFollowsAStepStartsInTheJobThatEndedItOncePerJob() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessInstance pi = start(fed, "7.0.0", 5);
        approveStart();
        approveReenable();
        assertThat(pi).isEnded();

        org.camunda.bpm.engine.HistoryService history = engine.getHistoryService();
        List<String> steps = history.createHistoricProcessInstanceQuery().processDefinitionKey("remote-step").list()
                .stream().map(org.camunda.bpm.engine.history.HistoricProcessInstance::getId).toList();
        java.util.function.Predicate<String> polled = id -> history.createHistoricActivityInstanceQuery()
                .processInstanceId(id).activityId("RunStepCommands").count() > 0;
        for (String id : steps) {
            assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(id).activityId("StartStepCommands")
                    .count()).as("every step begins with its start").isEqualTo(1);
        }
        long startedEarly = steps.stream().filter(polled.negate()).count();
        // the job of BlockApiAccess fans the zones' stops out; each zone's stop starts in a job of its own, and its
        // first step starts (and, with the fake's commands, ends) there
        List<String> stops = history.createHistoricVariableInstanceQuery().variableName("step").list().stream()
                .filter(v -> "stop-services".equals(v.getValue()))
                .map(org.camunda.bpm.engine.history.HistoricVariableInstance::getProcessInstanceId).toList();
        assertThat(stops).hasSize(3).noneMatch(polled);
        assertThat(history.createHistoricActivityInstanceQuery().activityId("ZoneStopRequested").count())
                .as("one zone-stop start per zone").isEqualTo(3);
        assertThat(startedEarly).as("steps started and ended in the job that ended the step before").isPositive();
        assertThat(steps.size() - startedEarly).as("the step after each of them polls in its own job").isPositive();
        assertThat(fed.count("apt-get install")).as("each zone's packages once").isEqualTo(3);
        assertThat(fed.count("onedb upgrade -v")).isEqualTo(3);
        assertThat(fed.count("onedb restore")).isEqualTo(2);
    }

    /**
     * Point 9 of issue 11: every hypervisor host the zones list gets the node step after the API check and before
     * onehost sync (before, zone-upgrade went from CheckZoneApi straight to SyncHosts and no host command ran). A
     * host that fails is the operator's decision: "skip" leaves it out, keeps it disabled at the end and puts it
     * in the report; the other hosts and zones go on.
     */
    @Test
    void aFailedHypervisorHostIsAnOperatorsDecisionAndASkippedHostStaysDisabled() {
        FakeFederation fed = new FakeFederation("6.10.0", false, true, "S-EU-GE");
        fed.failOn.put("opennebula-node-kvm", t -> t.serverName().equals("host0")); // the first host's node upgrade fails
        ProcessInstance pi = start(fed, "7.0.0", 5);
        approveStart();

        assertThat(task(engine, "DecideFailedStep").getName()).isEqualTo("Decide on the failed step");
        assertThat(fed.started.stream().filter(c -> c.contains("opennebula-node-kvm")).toList())
                .singleElement().satisfies(c -> assertThat(c).startsWith("M-EU-FR/host0: "));
        assertThat(fed.count("onehost sync")).as("no sync before the nodes are decided on").isZero();
        decide(engine, "DecideFailedStep", "skip", "host0 has a broken disk; replaced next week (INC-42)");
        runJobs(engine);
        approveReenable();

        assertThat(pi).isEnded();
        assertThat(fed.count("M-EU-FR/host1: ")).as("the other host still upgraded").isEqualTo(1);
        assertThat(fed.count("S-EU-GE/host1000: ")).isEqualTo(1);
        assertThat(fed.count("M-EU-FR/host0: ")).as("the skipped host is not retried").isEqualTo(1);
        assertThat(indexOf(fed.started, "M-EU-FR/host1: ")).isLessThan(indexOf(fed.started, "M-EU-FR/m-eu-fr-fe0: if command -v runuser"));
        // the skipped host may be unreachable: onehost sync names the other hosts only (one failure fails it all)
        assertThat(fed.started).anyMatch(c -> c.startsWith("M-EU-FR/m-eu-fr-fe0: ") && c.contains("onehost sync --force 1;"))
                .anyMatch(c -> c.startsWith("S-EU-GE/s-eu-ge-fe0: ") && c.contains("onehost sync --force 1000,1001;"));
        assertThat(fed.zone(0).hostStates.get(0)).as("skipped host stays disabled").isEqualTo(4);
        assertThat(fed.zone(100).hostStates.get(1000)).as("other hosts re-enabled").isEqualTo(2);
        io.onefed.upgrade.audit.Report report = new io.onefed.upgrade.audit.ReportService(engine.getHistoryService())
                .report("U20261123-120000-ab12");
        assertThat(report.skippedHosts()).containsExactly(new io.onefed.upgrade.audit.Report.SkippedHost(0, 0));
        assertThat(report.approvals()).anyMatch(a -> "skip".equals(a.decision()) && a.comment().contains("INC-42"));
    }

    @Test
    void skipIsRefusedOnAFrontEndStep() {
        FakeFederation fed = new FakeFederation("6.10.0", false, true, "S-EU-GE");
        fed.failures.put("onedb upgrade", 1);
        ProcessInstance pi = start(fed, "7.0.0", 5);
        approveStart();
        String taskId = task(engine, "DecideFailedStep").getId();
        assertThatThrownBy(() -> engine.getTaskService().complete(taskId, Map.of("decision", "skip", "comment", "skip it")))
                .hasMessageContaining("'skip' only applies to the hypervisor node upgrade");
        assertThat(pi).isNotEnded();
    }

    @Test
    void rejectingTheStartEndsWithNothingTouched() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessInstance pi = start(fed, "7.0.0", 5);
        decide(engine, "ApproveStart", "reject", "not in the maintenance window");
        runJobs(engine);
        assertThat(pi).isEnded().hasPassed("Rejected").hasNotPassed("DisableHosts");
        assertThat(fed.started).isEmpty();
    }

    @Test
    void anApprovalWithoutACommentOrWithAnUnknownDecisionIsRefused() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessInstance pi = start(fed, "7.0.0", 5);
        String taskId = task(engine, "ApproveStart").getId();
        assertThatThrownBy(() -> engine.getTaskService().complete(taskId, Map.of("decision", "approve", "comment", " ")))
                .hasMessageContaining("comment");
        assertThatThrownBy(() -> engine.getTaskService().complete(taskId, Map.of("decision", "yes", "comment", "ok")))
                .hasMessageContaining("decision").hasMessageContaining("approve");
        assertThat(pi).isWaitingAt("ApproveStart");
    }

    @Test
    void laggingFedIndexIsRecheckedOnATimerThenGoesToAnOperator() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.zone(101).fedIndex = 715400;
        ProcessInstance pi = start(fed, "7.0.0", 5);
        assertThat(pi).isWaitingAt("WaitForFedIndex");
        fireTimers(engine);
        runJobs(engine);
        assertThat(pi).isWaitingAt("WaitForFedIndex");
        fireTimers(engine);
        runJobs(engine);
        assertThat(pi).isWaitingAt("ReviewPreflight");
        assertThat((String) engine.getRuntimeService().getVariable(pi.getId(), "preflightSummary"))
                .contains("[FAIL] federation: FED_INDEX in sync").contains("S-US-CA=715400");

        fed.zone(101).fedIndex = 715438;
        decide(engine, "ReviewPreflight", "retry", "replication caught up");
        runJobs(engine);
        assertThat(pi).isWaitingAt("ApproveStart");
        assertThat(fed.started).isEmpty();
    }

    @Test
    void abortingAtPreflightEndsCleanly() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.zone(100).running = false;
        ProcessInstance pi = start(fed, "7.0.0", 5);
        assertThat(pi).isWaitingAt("ReviewPreflight");
        decide(engine, "ReviewPreflight", "abort", "zone is down, investigate first");
        runJobs(engine);
        assertThat(pi).isEnded().hasPassed("AbortedBeforeChange");
        assertThat(fed.started).isEmpty();
    }

    @Test
    void aFailedCommandWaitsForAnOperatorAndARetryRunsItOnceMore() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb upgrade", 1);
        ProcessInstance pi = start(fed, "7.0.0", 5);
        approveStart();

        org.camunda.bpm.engine.task.Task decision = task(engine, "DecideFailedStep");
        assertThat(engine.getTaskService().getVariable(decision.getId(), "stepFailure").toString())
                .contains("onedb upgrade -v").contains("exited 1").contains("simulated failure");
        assertThat(fed.count("onedb upgrade -v")).isEqualTo(1);
        // the job retry of the waiting step must not run the command again
        runJobs(engine);
        assertThat(fed.count("onedb upgrade -v")).isEqualTo(1);

        decide(engine, "DecideFailedStep", "retry", "freed disk space on the master");
        runJobs(engine);
        approveReenable();
        assertThat(pi).isEnded().hasPassed("FederationUpgraded");
        assertThat(fed.count("onedb upgrade -v")).isEqualTo(4);
        assertThat(fed.runs.keySet()).anyMatch(k -> k.contains("-z0-upgrade-db-a1.1-"))
                .anyMatch(k -> k.contains("-z0-upgrade-db-a1.2-"));
    }

    @Test
    void anAbortedSlaveDoesNotStopTheOthersAndTheOperatorMayContinueWithoutIt() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb restore", 1); // the first slave's federated restore fails
        ProcessInstance pi = start(fed, "7.0.0", 5);
        approveStart();

        decide(engine, "DecideFailedStep", "abort", "restore corrupt, will handle by hand");
        runJobs(engine);
        assertThat(pi).isWaitingAt("DecideFailedSlaves");
        String failed = (String) engine.getRuntimeService().getVariable(pi.getId(), "failedSlaveZoneIds");
        String upgraded = (String) engine.getRuntimeService().getVariable(pi.getId(), "upgradedSlaveZoneIds");
        assertThat(List.of(failed, upgraded)).containsExactlyInAnyOrder("100", "101");
        FakeFederation.Zone other = fed.zone(Integer.parseInt(upgraded));
        assertThat(other.installed).isEqualTo("7.0.0");

        decide(engine, "DecideFailedSlaves", "continue", "S zone to be rebuilt");
        runJobs(engine);
        assertThat(pi).isWaitingAt("ReviewPostChecks");
        decide(engine, "ReviewPostChecks", "continue", "known: one slave left out");
        runJobs(engine);
        approveReenable();
        assertThat(pi).isEnded().hasPassed("FederationUpgraded");
        assertThat(engine.getHistoryService().createHistoricVariableInstanceQuery().processInstanceId(pi.getId())
                .variableName("upgradeOutcome").singleResult().getValue()).isEqualTo("COMPLETED_WITH_SKIPPED_ZONES");
        FakeFederation.Zone left = fed.zone(Integer.parseInt(failed));
        assertThat(left.enabled).as("a zone left out stays disabled").isFalse();
        assertThat(left.hostStates.get(left.config.id() * 10)).as("and its hosts disabled").isEqualTo(4);
    }

    @Test
    void failedSlavesCanBeRetriedAsAWhole() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb restore", 1);
        ProcessInstance pi = start(fed, "7.0.0", 5);
        approveStart();
        decide(engine, "DecideFailedStep", "abort", "abort this zone, retry it later");
        runJobs(engine);
        decide(engine, "DecideFailedSlaves", "retry", "restore file fixed");
        runJobs(engine);
        approveReenable();
        assertThat(pi).isEnded().hasPassed("FederationUpgraded");
        assertThat(fed.count("onedb restore")).isEqualTo(3);
        assertThat(fed.zones.values()).allMatch(z -> z.version.equals("7.0.0"));
    }

    @Test
    void beforeSixTwoTheOperatorConfirmsTheApiBlockInsteadOfZoneDisable() {
        FakeFederation fed = FakeFederation.guide("6.0.0");
        ProcessInstance pi = start(fed, "6.2.0", 5);
        approveStart();
        assertThat(pi).isWaitingAt("ConfirmApiBlocked");
        decide(engine, "ConfirmApiBlocked", "approve", "firewall rule 42 in place");
        runJobs(engine);
        approveReenable();
        assertThat(pi).isWaitingAt("ConfirmApiOpen");
        decide(engine, "ConfirmApiOpen", "approve", "firewall rule 42 removed");
        runJobs(engine);
        assertThat(pi).isEnded().hasPassed("FederationUpgraded").hasNotPassed("BlockApiAccess", "EnableApiAccess");
        assertThat(fed.count("zone.enable")).isZero();
    }

    @Test
    void anHaMasterStopsFollowersFirstAndRestoresThemFromTheLeadersDump() {
        FakeFederation fed = new FakeFederation("6.10.0", true, "S-EU-GE");
        fed.zone(0).leader = "m-eu-fr-fe1";
        ProcessInstance pi = start(fed, "7.0.0", 5);
        assertThat((String) engine.getRuntimeService().getVariable(pi.getId(), "zoneLeaders")).contains("0=m-eu-fr-fe1");
        approveStart();
        approveReenable();
        assertThat(pi).isEnded().hasPassed("FederationUpgraded");
        List<String> log = fed.started;
        assertThat(indexOf(log, "m-eu-fr-fe0: mkdir")).isLessThan(indexOf(log, "m-eu-fr-fe1: mkdir"));
        assertThat(fed.count("m-eu-fr-fe1: onedb upgrade")).isEqualTo(1);
        assertThat(fed.count("m-eu-fr-fe0: onedb upgrade")).isZero();
        assertThat(fed.count("m-eu-fr-fe0: onedb restore -f")).isEqualTo(1);
        assertThat(fed.count("m-eu-fr-fe2: onedb restore -f")).isEqualTo(1);
        assertThat(fed.count("m-eu-fr-fe1: onedb restore")).isZero();
        // the HA guide: the leader's dump and its configuration go to each follower; onecfg runs on the leader only
        assertThat(fed.count("m-eu-fr-fe0: copy")).isEqualTo(2);
        assertThat(fed.count("m-eu-fr-fe0: copy") + fed.count("m-eu-fr-fe2: copy")).isEqualTo(4);
        assertThat(fed.count("m-eu-fr-fe1: if ! command -v onecfg")).isEqualTo(1);
        assertThat(fed.count("m-eu-fr-fe0: if ! command -v onecfg")).as("old command: onecfg upgrade on every server").isZero();
        assertThat(fed.count("m-eu-fr-fe2: if ! command -v onecfg")).isZero();
        assertThat(fed.count("m-eu-fr-fe1: mkdir -p") - fed.count("m-eu-fr-fe0: mkdir -p")).isPositive();
        assertThat(fed.count("m-eu-fr-fe0: test -f")).as("apply-leader-config on follower fe0").isEqualTo(1);
        assertThat(fed.count("m-eu-fr-fe2: test -f")).as("apply-leader-config on follower fe2").isEqualTo(1);
        assertThat(fed.count("m-eu-fr-fe1: test -f")).as("never on the leader").isZero();
        assertThat(pi).hasPassedInOrder("UpgradeMaster", "FederatedBackup");
        assertThat(indexOf(log, "m-eu-fr-fe0: onedb restore -f")).isLessThan(indexOf(log, "m-eu-fr-fe0: test -f"));
        assertThat(indexOf(log, "m-eu-fr-fe0: test -f")).isLessThan(indexOf(log, "m-eu-fr-fe1: systemctl daemon-reload"));
        assertThat(indexOf(log, "m-eu-fr-fe1: systemctl daemon-reload")).isLessThan(indexOf(log, "m-eu-fr-fe0: systemctl daemon-reload"));
    }

    @Test
    void theZonePathTakesTheSlavesOwnBackupsBeforeItsFederatedRestore() {
        // old order: CopyFederatedBackup -> RestoreFederated -> BackupConfig -> BackupDb, so the slave's
        // "before upgrade" backup already held the master's federated tables
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessInstance pi = start(fed, "7.0.0", 5);
        approveStart();
        approveReenable();
        assertThat(pi).isEnded().hasPassed("FederationUpgraded");
        List<String> log = fed.started;
        for (String slave : List.of("S-EU-GE/s-eu-ge-fe0", "S-US-CA/s-us-ca-fe0")) {
            int backup = indexOf(log, slave + ": mkdir -p");
            int dbBackup = log.indexOf(log.stream().filter(c -> c.startsWith(slave + ": ") && c.contains("-before-upgrade"))
                    .findFirst().orElseThrow());
            int copy = log.indexOf(log.stream().filter(c -> c.startsWith(slave + ": copy ") && c.contains("federated-from-zone-0"))
                    .findFirst().orElseThrow());
            int restore = indexOf(log, slave + ": onedb restore");
            assertThat(backup).as(slave + " config backup before the copy").isLessThan(copy);
            assertThat(dbBackup).as(slave + " DB backup before the copy").isLessThan(copy);
            assertThat(copy).isLessThan(restore);
            // the restore proves itself against the master's shared version, read after the federated backup
            assertThat(log.get(restore)).contains("onedb version -v").contains("= 7.0.0 ]");
        }
        assertThat(engine.getHistoryService().createHistoricVariableInstanceQuery().processInstanceId(pi.getId())
                .variableName("masterSharedDbVersion").singleResult().getValue()).isEqualTo("7.0.0");
        org.camunda.bpm.engine.history.HistoricProcessInstance slaveZone = engine.getHistoryService()
                .createHistoricProcessInstanceQuery().processDefinitionKey("zone-upgrade").variableValueEquals("zoneId", 100)
                .singleResult();
        List<String> order = engine.getHistoryService().createHistoricActivityInstanceQuery()
                .processInstanceId(slaveZone.getId()).orderByHistoricActivityInstanceStartTime().asc()
                .orderPartiallyByOccurrence().asc().list().stream()
                .map(org.camunda.bpm.engine.history.HistoricActivityInstance::getActivityId).toList();
        assertThat(order).containsSubsequence("BackupConfig", "BackupDb", "IsSlave", "CopyFederatedBackup",
                "RestoreFederated", "SlaveJoin", "SwitchRepository", "UpgradePackages", "UpgradeConfig", "UpgradeDb",
                "CheckDb", "IsHa", "HaJoin", "StartServices");
    }

    @Test
    void anHaFollowerWhoseLogIndexLagsFailsThePostChecks() {
        FakeFederation fed = new FakeFederation("6.10.0", true, "S-EU-GE");
        fed.raftLag.put("m-eu-fr-fe2", 3);
        ProcessInstance pi = start(fed, "7.0.0", 5);
        approveStart();
        assertThat(pi).isWaitingAt("ReviewPostChecks");
        assertThat((String) engine.getRuntimeService().getVariable(pi.getId(), "postChecksSummary"))
                .contains("[FAIL] M-EU-FR: HA servers in sync").contains("m-eu-fr-fe2 LOG_INDEX 7 is behind the leader's 10");
    }

    @Test
    void unitsStillActiveAfterTheStopGoToAnOperatorAndARetryStopsAgain() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.unitsStuck = true;
        ProcessInstance pi = start(fed, "7.0.0", 5);
        approveStart();
        List<org.camunda.bpm.engine.task.Task> tasks = engine.getTaskService().createTaskQuery()
                .taskDefinitionKey("DecideStillActive").list();
        assertThat(tasks).hasSize(3);
        fed.unitsStuck = false;
        for (org.camunda.bpm.engine.task.Task t : tasks) {
            engine.getTaskService().complete(t.getId(), Map.of("decision", "retry", "comment", "killed stray oned"));
        }
        runJobs(engine);
        approveReenable();
        assertThat(pi).isEnded().hasPassed("FederationUpgraded");
        assertThat(fed.count("systemctl stop")).isEqualTo(6);
    }

    /**
     * Attack: a value the start approval covered is changed on a step's own copy (here the remote-step instance's
     * federatedBackupPath, as any door writing variables would) while the step waits for a decision; the retry
     * must run nothing and stop in an incident that names the value.
     */
    @Test
    void aStepWhoseValuesTheApprovalDoesNotCoverRunsNothing() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb upgrade", 1);
        start(fed, "7.0.0", 5);
        approveStart();
        org.camunda.bpm.engine.task.Task decision = task(engine, "DecideFailedStep");
        engine.getRuntimeService().setVariable(decision.getProcessInstanceId(), "federatedBackupPath", "/tmp/evil.sql");
        assertThat(fed.count("onedb upgrade -v")).isEqualTo(1);

        Throwable refused = catchDecision(() -> decide(engine, "DecideFailedStep", "retry", "retry it"));
        runJobs(engine);

        assertThat(fed.count("onedb upgrade -v")).isEqualTo(1);
        assertThat(fed.count("/tmp/evil.sql")).isZero();
        String why = refusal(refused);
        assertThat(why).contains("not approved").contains("federatedBackupPath").contains("/tmp/evil.sql")
                .contains("Nothing was run");
    }

    /**
     * Attack: the upgrade's own copy of an approved value (the root instance's targetVersion) is changed after the
     * approval: the values no longer render the approved plan, so the next step refuses before its first command.
     */
    @Test
    void aRootValueChangedAfterTheApprovalStopsTheNextStep() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb upgrade", 1);
        ProcessInstance pi = start(fed, "7.0.0", 5);
        approveStart();
        org.camunda.bpm.engine.task.Task decision = task(engine, "DecideFailedStep");
        engine.getRuntimeService().setVariable(pi.getId(), "zonePackageVersions", "0=7.0.9-1,100=7.0.9-1,101=7.0.9-1");

        Throwable refused = catchDecision(() -> decide(engine, "DecideFailedStep", "retry", "retry it"));
        runJobs(engine);

        assertThat(fed.count("onedb upgrade -v")).isEqualTo(1);
        assertThat(fed.count("7.0.9-1")).isZero();
        String why = refusal(refused);
        assertThat(why).contains("not approved").contains("not the approved");
    }

    /** The refusal's message: the completion's own (it reached the caller) or the incidents' (a later job's). */
    private String refusal(Throwable refused) {
        return refused != null ? refused.getMessage() : String.valueOf(engine.getRuntimeService()
                .createIncidentQuery().list().stream().map(i -> i.getIncidentMessage()).toList());
    }

    /** A refusal inside the completion's own transaction reaches the caller; a later one becomes an incident. */
    private static Throwable catchDecision(Runnable decision) {
        try {
            decision.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    void aTechnicalFailureBecomesAnIncidentAndACockpitRetryResumesThatStep() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessInstance pi = start(fed, "7.0.0", 5);
        fed.zone(0).running = false; // the master's API is down when the hosts are recorded
        approveStart();
        Job failed = engine.getManagementService().createJobQuery().withException().singleResult();
        assertThat(failed).isNotNull();
        assertThat(engine.getRuntimeService().createIncidentQuery().list()).hasSize(1)
                .allMatch(i -> i.getActivityId().equals("RecordEnabledHosts") && i.getIncidentMessage().contains("Connection refused"));
        // the step sits in the collapsed sub-process FreezeFederation: Cockpit marks the sub-process and, drilled
        // down, the step itself, from this tree
        org.camunda.bpm.engine.runtime.ActivityInstance tree = engine.getRuntimeService().getActivityInstance(pi.getId());
        assertThat(tree.getActivityInstances("FreezeFederation")).singleElement().satisfies(freeze ->
                assertThat(freeze.getActivityInstances("RecordEnabledHosts").length
                        + freeze.getTransitionInstances("RecordEnabledHosts").length).isEqualTo(1));
        fed.zone(0).running = true;
        // what Cockpit's retry does: retries back to 1, due now
        engine.getManagementService().setJobRetries(failed.getId(), 1);
        engine.getManagementService().setJobDuedate(failed.getId(), new java.util.Date());
        runJobs(engine);
        approveReenable();
        assertThat(pi).isEnded().hasPassed("FederationUpgraded");
    }

    @Test
    void slavesAreUpgradedInBatchesOfMaxParallelZones() {
        FakeFederation fed = new FakeFederation("6.10.0", false, "S1", "S2", "S3");
        ProcessInstance pi = start(fed, "7.0.0", 2);
        approveStart();
        approveReenable();
        assertThat(pi).isEnded();
        long batches = engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(pi.getId())
                .activityId("UpgradeSlaveBatch#multiInstanceBody").count();
        assertThat(batches).isEqualTo(2);
        assertThat(fed.zones.values()).allMatch(z -> z.version.equals("7.0.0"));
    }

    static int indexOf(List<String> log, String fragment) {
        synchronized (log) {
            for (int i = 0; i < log.size(); i++) {
                if (log.get(i).contains(fragment)) {
                    return i;
                }
            }
        }
        throw new AssertionError("no command contains '" + fragment + "': " + log);
    }

    static int lastIndexOf(List<String> log, String fragment) {
        synchronized (log) {
            for (int i = log.size() - 1; i >= 0; i--) {
                if (log.get(i).contains(fragment)) {
                    return i;
                }
            }
        }
        throw new AssertionError("no command contains '" + fragment + "'");
    }
}
