package io.onefed.upgrade.process;

import static io.onefed.upgrade.process.ProcessTestSupport.decide;
import static io.onefed.upgrade.process.ProcessTestSupport.runJobs;
import static io.onefed.upgrade.process.ProcessTestSupport.startVariables;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The paths of {@code federation-rollback} and {@code zone-rollback} on the in-memory federation: an aborted
 * upgrade rolled back later through {@link RollbackRuns} (the {@code POST /api/upgrades/{id}/rollback} service),
 * approved by a second operator; rejected; a rollback step aborted; and each of zone-rollback's gateway branches
 * (a zone never touched, a zone only stopped, a zone changed).
 */
class RollbackProcessTest extends ProcessTestBase {

    RollbackRuns rollbacks;

    @BeforeEach
    void rollbackRuns() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:rollback-lock-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        jdbc.execute("CREATE TABLE ACT_RU_EXECUTION (ID_ VARCHAR(64))");
        UpgradeLock lock = new UpgradeLock(jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds)),
                Clock.systemUTC());
        lock.createIfMissing();
        rollbacks = new RollbackRuns(engine.getRuntimeService(), engine.getHistoryService(), lock,
                engine.getIdentityService());
    }

    private ProcessInstance started(FakeFederation fed) {
        ProcessTestSupport.register(fed);
        Map<String, Object> vars = startVariables(fed, "7.0.0", 5);
        ProcessInstance pi = engine.getRuntimeService().startProcessInstanceByKey("federation-upgrade",
                (String) vars.get("upgradeId"), vars);
        runJobs(engine);
        decide(engine, "ApproveStart", "approve", "change CHG-1234 approved");
        runJobs(engine);
        return pi;
    }

    private void assertRolledBackInTheUpgrade(ProcessInstance pi, FakeFederation fed, String... passed) {
        assertThat(pi).isEnded().hasPassed(passed).hasPassed("RollBackUpgrade", "UpgradeRolledBack");
        assertThat(value(pi.getId(), "upgradeOutcome")).isEqualTo("ROLLED_BACK");
        HistoricProcessInstance rb = engine.getHistoryService().createHistoricProcessInstanceQuery()
                .processDefinitionKey("federation-rollback").superProcessInstanceId(pi.getId()).singleResult();
        assertThat(rb.getEndActivityId()).isEqualTo("FederationRolledBack");
        assertThat(engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(rb.getId())
                .activityId("ApproveRollback").count()).as("decided in the upgrade: no second approval").isZero();
        assertThat(fed.zones.values()).allMatch(z -> z.enabled && z.running && z.installed.equals("6.10.0"));
    }

    @Test
    void rollBackChosenOnTheMastersFailedStepRollsTheUpgradeBack() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb upgrade", 1);
        ProcessInstance pi = started(fed);
        decide(engine, "DecideFailedStep", "rollback", "onedb upgrade broken for good, back to 6.10");
        runJobs(engine);
        assertRolledBackInTheUpgrade(pi, fed, "MasterUpgraded");
        String master = engine.getHistoryService().createHistoricProcessInstanceQuery().processDefinitionKey("zone-upgrade")
                .superProcessInstanceId(pi.getId()).variableValueEquals("zoneId", 0).singleResult().getId();
        assertThat(value(master, "zoneOutcome")).isEqualTo("ROLLBACK_REQUESTED");
        assertThat(pi).hasNotPassed("AbortedMasterFailed", "FederatedBackup");
        assertThat(fed.count("onedb restore -f")).as("only the master was changed").isEqualTo(1);
    }

    @Test
    void rollBackChosenForTheFailedSlavesRollsEveryZoneBack() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb restore", 1); // the first slave's federated restore fails
        ProcessInstance pi = started(fed);
        decide(engine, "DecideFailedStep", "abort", "restore corrupt on this slave");
        runJobs(engine);
        decide(engine, "DecideFailedSlaves", "rollback", "back out the whole upgrade");
        runJobs(engine);
        assertRolledBackInTheUpgrade(pi, fed, "SlavesRollbackRequested");
        assertThat(pi).hasNotPassed("AbortedSlavesFailed", "RunPostChecks");
        assertThat(fed.count("onedb restore -f")).as("master and both slaves were changed").isEqualTo(3);
    }

    @Test
    void rollBackChosenInThePostCheckReviewRollsEveryZoneBack() {
        FakeFederation fed = new FakeFederation("6.10.0", true, "S-EU-GE");
        fed.raftLag.put("m-eu-fr-fe2", 3);
        ProcessInstance pi = started(fed);
        assertThat(pi).isWaitingAt("ReviewPostChecks");
        decide(engine, "ReviewPostChecks", "rollback", "HA follower lags after the upgrade: back to 6.10");
        runJobs(engine);
        assertRolledBackInTheUpgrade(pi, fed, "PostChecksDecision");
        assertThat(pi).hasNotPassed("ApproveReenable");
        // the HA master: restored on its leader, then the followers from the copied pre-upgrade backup
        assertThat(fed.started.stream().filter(c -> c.contains("onedb restore -f")).map(c -> c.split(":")[0]))
                .contains("M-EU-FR/m-eu-fr-fe0", "M-EU-FR/m-eu-fr-fe1", "M-EU-FR/m-eu-fr-fe2");
    }

    @Test
    void rollBackIsRefusedWhereNothingWouldCatchIt() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("systemctl stop", 1);
        started(fed);
        assertThatThrownBy(() -> decide(engine, "DecideFailedStep", "rollback", "try it"))
                .hasMessageContaining("'rollback' is offered in the zone upgrade's steps, not in step 'stop-services'");
    }

    /** The master's onedb upgrade fails and an operator aborts: the upgrade ends ABORTED with the master half done. */
    private ProcessInstance abortedUpgrade(FakeFederation fed) {
        ProcessInstance pi = started(fed);
        decide(engine, "DecideFailedStep", "abort", "onedb upgrade broken for good");
        runJobs(engine);
        assertThat(pi).isEnded().hasPassed("AbortedMasterFailed");
        return pi;
    }

    private ProcessInstance rollback(String upgradeId, String requestedBy) {
        String id = rollbacks.start(upgradeId, "master DB upgrade failed, back to 6.10", requestedBy);
        runJobs(engine);
        return engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(id).singleResult();
    }

    @Test
    void anAbortedUpgradeIsRolledBackSlavesFirstMasterLastThenZonesAndHostsReEnabled() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb upgrade", 1);
        Map<Integer, Map<Integer, Integer>> hostsBefore = hostStates(fed);
        ProcessInstance upgrade = abortedUpgrade(fed);
        assertThat(hostStates(fed)).as("the upgrade disabled the hosts").isNotEqualTo(hostsBefore);
        assertThat(fed.zones.get(0).installed).isEqualTo("7.0.0");
        assertThat(fed.zones.values()).noneMatch(z -> z.enabled);

        ProcessInstance rb = rollback(upgrade.getBusinessKey(), "operator2");
        assertThat(rb).isWaitingAt("ApproveRollback");
        assertThat(fed.count("rollback")).as("nothing runs before the approval").isZero();
        // four eyes: the operator who asked for the rollback cannot approve it
        assertThatThrownBy(() -> ProcessTestSupport.as(engine, "operator2",
                () -> decide(engine, "ApproveRollback", "approve", "my own request")))
                .hasMessageContaining("four eyes");
        ProcessTestSupport.as(engine, "operator1", () -> decide(engine, "ApproveRollback", "approve", "agreed, CHG-1235"));
        runJobs(engine);

        assertThat(rb).isEnded().hasPassedInOrder("ApproveRollback", "RollBackSlaves", "RollBackMaster",
                "ReenableZonesAfterRollback", "ReenableHostsAfterRollback", "FederationRolledBack");
        assertThat(value(rb.getId(), "upgradeOutcome")).isEqualTo("ROLLED_BACK");
        // the master was changed: its full rollback ran; the slaves were only stopped: their units start again
        assertThat(zoneOutcomes()).containsEntry(0, "ROLLED_BACK").containsEntry(100, "ROLLED_BACK");
        assertThat(fed.zones.get(0).installed).isEqualTo("6.10.0");
        assertThat(fed.zones.values()).allMatch(z -> z.enabled && z.running && z.version.equals("6.10.0"));
        assertThat(fed.started.stream().filter(c -> c.contains("onedb restore -f")).toList())
                .hasSize(1).allMatch(c -> c.startsWith("M-EU-FR/"));
        assertThat(fed.count("--allow-downgrades")).isEqualTo(1);
        // slaves before the master: every slave's units start again before the master's database is restored
        List<String> started = List.copyOf(fed.started);
        int masterRestore = started.stream().filter(c -> c.contains("onedb restore -f")).findFirst().map(started::indexOf)
                .orElseThrow();
        List<Integer> slaveStarts = java.util.stream.IntStream.range(0, started.size()).filter(i ->
                !started.get(i).startsWith("M-EU-FR/") && started.get(i).contains("systemctl start opennebula")).boxed().toList();
        assertThat(slaveStarts).hasSize(2).allMatch(i -> i < masterRestore);
        assertThat(hostStates(fed)).as("the hosts recorded as enabled are enabled again").isEqualTo(hostsBefore);
        // the rollback's runs carry their own keys: none attaches to an upgrade run
        assertThat(fed.runs.keySet()).anyMatch(k -> k.contains("-z0-rollback-restore-db-a1.1-"));
    }

    @Test
    void aRejectedRollbackChangesNothing() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb upgrade", 1);
        ProcessInstance upgrade = abortedUpgrade(fed);
        long before = fed.started.size();
        ProcessInstance rb = rollback(upgrade.getBusinessKey(), "operator2");
        ProcessTestSupport.as(engine, "operator1", () -> decide(engine, "ApproveRollback", "reject", "fix forward instead"));
        runJobs(engine);
        assertThat(rb).isEnded().hasPassed("RollbackRejected").hasNotPassed("RollBackSlaves");
        assertThat(value(rb.getId(), "upgradeOutcome")).isEqualTo("ROLLBACK_REJECTED");
        assertThat(fed.started).hasSize((int) before);
    }

    @Test
    void anAbortedRollbackStepEndsTheRollback() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb upgrade", 1);
        ProcessInstance upgrade = abortedUpgrade(fed);
        fed.failures.put("onedb restore -f", 1);
        ProcessInstance rb = rollback(upgrade.getBusinessKey(), "operator2");
        ProcessTestSupport.as(engine, "operator1", () -> decide(engine, "ApproveRollback", "approve", "go"));
        runJobs(engine);
        decide(engine, "DecideFailedStep", "abort", "backup unreadable, restore by hand");
        runJobs(engine);
        assertThat(rb).isEnded().hasPassed("MasterRollbackAborted", "RollbackAborted")
                .hasNotPassed("ReenableZonesAfterRollback");
        assertThat(value(rb.getId(), "upgradeOutcome")).isEqualTo("ROLLBACK_ABORTED");
        assertThat(fed.zones.values()).noneMatch(z -> z.enabled);
    }

    @Test
    void onlyAnAbortedUpgradeCanBeRolledBackAndOnlyOnce() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        fed.failures.put("onedb upgrade", 1);
        ProcessInstance upgrade = abortedUpgrade(fed);
        assertThat(rollbacks.start("U-nope", "why", "operator2")).isNull();
        assertThatThrownBy(() -> rollbacks.start(upgrade.getBusinessKey(), " ", "operator2"))
                .isInstanceOf(UpgradeRuns.InvalidRequestException.class).hasMessageContaining("required");
        rollback(upgrade.getBusinessKey(), "operator2");
        assertThatThrownBy(() -> rollbacks.start(upgrade.getBusinessKey(), "again", "operator3"))
                .isInstanceOf(UpgradeRuns.UpgradeRunningException.class).hasMessageContaining("already has a rollback");
    }

    @Test
    void aZoneTheUpgradeNeverTouchedIsLeftAlone() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessTestSupport.register(fed);
        Map<String, Object> vars = Map.of("zoneId", 100, "fromVersion", "6.10.0", "targetVersion", "7.0.0",
                "zoneAttempt", 1);
        ProcessInstance zone = engine.getRuntimeService().startProcessInstanceByKey("zone-rollback", "U1", vars);
        runJobs(engine);
        assertThat(zone).isEnded().hasPassed("AssessZoneChanges", "RecordZoneLeftAlone", "ZoneLeftAlone")
                .hasNotPassed("RollbackStopServices", "RollbackStartServices");
        assertThat(value(zone.getId(), "zoneOutcome")).isEqualTo("UNTOUCHED");
        assertThat(fed.started).isEmpty();
    }

    private static Map<Integer, Map<Integer, Integer>> hostStates(FakeFederation fed) {
        Map<Integer, Map<Integer, Integer>> out = new java.util.TreeMap<>();
        fed.zones.forEach((id, z) -> out.put(id, new java.util.TreeMap<>(z.hostStates)));
        return out;
    }

    private Map<Integer, String> zoneOutcomes() {
        Map<Integer, String> out = new java.util.TreeMap<>();
        for (HistoricProcessInstance z : engine.getHistoryService().createHistoricProcessInstanceQuery()
                .processDefinitionKey("zone-rollback").list()) {
            out.put(((Number) value(z.getId(), "zoneId")).intValue(), (String) value(z.getId(), "zoneOutcome"));
        }
        return out;
    }

    private Object value(String processInstanceId, String name) {
        HistoricVariableInstance v = engine.getHistoryService().createHistoricVariableInstanceQuery()
                .processInstanceId(processInstanceId).variableName(name).singleResult();
        assertThat(v).as(name + " of " + processInstanceId).isNotNull();
        return v.getValue();
    }
}
