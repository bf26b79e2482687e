package io.onefed.upgrade.process;

import static io.onefed.upgrade.process.ProcessTestSupport.decide;
import static io.onefed.upgrade.process.ProcessTestSupport.runJobs;
import static io.onefed.upgrade.process.ProcessTestSupport.startVariables;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import io.onefed.upgrade.metrics.UpgradeMetricsService;
import io.onefed.upgrade.metrics.UpgradeMetricsService.Snapshot;
import io.onefed.upgrade.metrics.UpgradeMetricsService.ZoneKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The upgrade metrics' values through the states the end-to-end test cannot reach cheaply: an incident, a failed
 * step waiting for a decision in one zone, then completed, rejected and cancelled upgrades.
 */
class UpgradeMetricsProcessTest extends ProcessTestBase {

    @AfterEach
    void reset() {
        engine.getIdentityService().clearAuthentication();
        Mocks.reset();
        ProcessTestSupport.finishedRuns = io.onefed.upgrade.steps.FinishedRuns.NONE;
    }

    void as(String user, Runnable action) {
        ProcessTestSupport.as(engine, user, action);
    }

    ProcessInstance start(FakeFederation fed, String id) {
        Map<String, Object> vars = startVariables(fed, "7.0.0", 5);
        vars.put("upgradeId", id);
        engine.getIdentityService().setAuthenticatedUserId("operator1");
        try {
            return engine.getRuntimeService().startProcessInstanceByKey("federation-upgrade", id, vars);
        } finally {
            engine.getIdentityService().clearAuthentication();
            runJobs(engine);
        }
    }

    @Test
    void incidentsDecisionsZonesFreezeAndEveryEnd() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb upgrade", 1);
        List<String> timed = new ArrayList<>();
        ProcessTestSupport.finishedRuns = (step, run) -> timed.add(step.id() + " " + run.key() + " " + run.exitStatus());
        ProcessTestSupport.register(fed);
        UpgradeMetricsService metrics = new UpgradeMetricsService(engine.getHistoryService(),
                engine.getRuntimeService(), engine.getTaskService());
        assertThat(metrics.compute(Instant.now()).upgrades()).containsOnlyKeys("running", "waiting_for_approval",
                "incident", "completed", "aborted", "rejected").allSatisfy((k, v) -> assertThat(v).isZero());

        ProcessInstance pi = start(fed, "U1");
        Snapshot atStart = metrics.compute(Instant.now());
        assertThat(atStart.upgrades().get("waiting_for_approval")).isEqualTo(1);
        assertThat(atStart.approvalsWaiting()).isEqualTo(1);
        assertThat(atStart.zones()).isEmpty();

        fed.zone(0).running = false; // the master's API is down when the hosts are recorded: an incident
        as("alice", () -> decide(engine, "ApproveStart", "approve", "go"));
        Snapshot incident = metrics.compute(Instant.now());
        assertThat(incident.upgrades().get("incident")).isEqualTo(1);
        assertThat(incident.upgrades().get("waiting_for_approval")).isZero();
        assertThat(incident.incidentsOpen()).as("the failed job, not its copies above").isEqualTo(1);
        assertThat(incident.approvalsWaiting()).isZero();
        assertThat(incident.oldestApprovalAgeSeconds()).isZero();

        Job failed = engine.getManagementService().createJobQuery().withException().singleResult();
        fed.zone(0).running = true;
        as("bob", () -> {
            engine.getManagementService().setJobRetries(failed.getId(), 1);
            engine.getManagementService().setJobDuedate(failed.getId(), new java.util.Date());
        });
        // the master's onedb upgrade failed: its step waits for a decision, the slaves are stopped and wait
        Snapshot decision = metrics.compute(Instant.now());
        assertThat(decision.incidentsOpen()).isZero();
        assertThat(decision.upgrades().get("waiting_for_approval")).isEqualTo(1);
        assertThat(decision.zones()).containsEntry(new ZoneKey("UpgradeDb", "waiting_for_approval"), 1L)
                .containsEntry(new ZoneKey("ZoneStopped", "done"), 2L).hasSize(2);
        assertThat(decision.lastApiFrozen()).isTrue();
        assertThat(decision.lastApiFreezeSeconds()).isGreaterThanOrEqualTo(0);

        as("carol", () -> decide(engine, "DecideFailedStep", "retry", "freed disk space"));
        assertThat(pi).isWaitingAt("ApproveReenable");
        Instant later = Instant.now().plusSeconds(60);
        Snapshot reenable = metrics.compute(later);
        assertThat(reenable.zones()).containsOnly(Map.entry(new ZoneKey("ZoneUpgraded", "done"), 3L));
        assertThat(reenable.lastApiFreezeSeconds()).as("growing while frozen").isGreaterThanOrEqualTo(60);
        assertThat(reenable.oldestApprovalAgeSeconds()).isGreaterThanOrEqualTo(60);

        as("dave", () -> decide(engine, "ApproveReenable", "approve", "post-checks green"));
        assertThat(pi).isEnded();
        // the command durations: each finished command once (not at every poll), the failed one with its exit status
        List<String> commands = new io.onefed.upgrade.audit.ReportService(engine.getHistoryService()).report("U1")
                .commands().stream().map(c -> c.step() + " " + c.key() + " " + c.exitStatus()).toList();
        assertThat(timed).containsExactlyInAnyOrderElementsOf(commands).doesNotHaveDuplicates();
        assertThat(timed).filteredOn(t -> t.startsWith("upgrade-db ") && t.endsWith(" 1")).hasSize(1);
        Snapshot ended = metrics.compute(Instant.now().plusSeconds(3600));
        assertThat(ended.upgrades()).containsEntry("completed", 1L).containsEntry("running", 0L)
                .containsEntry("waiting_for_approval", 0L);
        assertThat(ended.zones()).isEmpty();
        assertThat(ended.lastApiFrozen()).isFalse();
        assertThat(ended.lastApiFreezeSeconds()).as("from block to re-enable, not until now")
                .isLessThan(600).isGreaterThan(0);

        // a federation still on the old version for the next two (this one is upgraded now)
        FakeFederation old = FakeFederation.guide("6.10.0");
        ProcessTestSupport.register(old);
        ProcessInstance rejected = start(old, "U2");
        as("alice", () -> decide(engine, "ApproveStart", "reject", "not today"));
        assertThat(rejected).isEnded();
        ProcessInstance cancelled = start(old, "U3");
        engine.getRuntimeService().deleteProcessInstance(cancelled.getId(), "cancelled in Cockpit");
        Snapshot all = metrics.compute(Instant.now());
        assertThat(all.upgrades()).containsEntry("completed", 1L).containsEntry("rejected", 1L)
                .containsEntry("aborted", 1L).containsEntry("running", 0L).containsEntry("incident", 0L)
                .containsEntry("waiting_for_approval", 0L);
        assertThat(all.lastApiFreezeSeconds()).as("the last upgrade never froze the API").isZero();
        assertThat(all.approvalsWaiting()).isZero();
    }
}
