package io.onefed.upgrade.process;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;

/**
 * "Roll back this upgrade" for an upgrade that ended aborted ({@code POST /api/upgrades/{id}/rollback}): starts
 * {@code federation-rollback} under the upgrade's id, with the values its start approval covered read from its
 * history (so every rollback step passes the approved-plan guard: the plan's hash covers the rollback), as the
 * requesting operator (the engine's start user, which four eyes trusts); another operator must approve it
 * (ApproveRollback). Exclusive with upgrades through the same lock row ({@link UpgradeLock}).
 */
public class RollbackRuns {

    public static final String PROCESS_KEY = "federation-rollback";

    /**
     * What the rollback takes over from the aborted upgrade: the approved values and the federation's facts
     * (forceFederated too: the plan the guard re-renders must be the approved one). The hosts a zone-by-zone
     * upgrade disabled are not carried: the rollback reads them from the zones' records ({@link ZoneHostRecords}).
     */
    static final List<String> CARRIED = List.of("upgradeId", "fromVersion", "targetVersion", "zoneLeaders",
            "hasZoneDisable", "zonePackageVersions", "zoneNodes", "approvedPlanHash", "enabledHosts", "masterZoneId",
            "slaveZoneIds", "allZoneIds", "upgradeOutcome", "forceFederated");

    private final RuntimeService runtime;
    private final HistoryService history;
    private final UpgradeLock lock;
    private final ServiceStart serviceStart;

    public RollbackRuns(RuntimeService runtime, HistoryService history, UpgradeLock lock, IdentityService identity) {
        this.runtime = runtime;
        this.history = history;
        this.lock = lock;
        this.serviceStart = new ServiceStart(runtime, identity);
    }

    /** @return the rollback's process instance id, or null when no upgrade has this id */
    public String start(String upgradeId, String reason, String requestedBy) {
        if (reason == null || reason.isBlank()) {
            throw new UpgradeRuns.InvalidRequestException("reason", "required: say why the upgrade is rolled back"
                    + " (the approver reads it), e.g. {\"reason\": \"CHG-1234: master DB upgrade failed\"}");
        }
        if (reason.length() > 2000) {
            throw new UpgradeRuns.InvalidRequestException("reason", "at most 2000 characters (" + reason.length() + " sent)");
        }
        HistoricProcessInstance upgrade = history.createHistoricProcessInstanceQuery()
                .processDefinitionKey(UpgradeRuns.PROCESS_KEY).processInstanceBusinessKey(upgradeId).singleResult();
        if (upgrade == null) {
            return null;
        }
        if (upgrade.getEndTime() == null) {
            throw new UpgradeRuns.UpgradeRunningException("upgrade " + upgradeId + " is still running: choose"
                    + " 'roll back' in its decision task, or abort it first");
        }
        Map<String, Object> vars = new HashMap<>();
        for (HistoricVariableInstance v : history.createHistoricVariableInstanceQuery()
                .processInstanceId(upgrade.getId()).variableNameIn(CARRIED.toArray(String[]::new)).list()) {
            vars.put(v.getName(), v.getValue());
        }
        if (!"ABORTED".equals(vars.get("upgradeOutcome"))) {
            throw new UpgradeRuns.InvalidRequestException("id", "upgrade " + upgradeId + " ended "
                    + vars.get("upgradeOutcome") + ": only an aborted upgrade can be rolled back");
        }
        if (vars.get("approvedPlanHash") == null) {
            throw new UpgradeRuns.InvalidRequestException("id", "upgrade " + upgradeId + " was aborted before its"
                    + " start was approved: it changed nothing, there is nothing to roll back");
        }
        if (history.createHistoricProcessInstanceQuery().processDefinitionKey(PROCESS_KEY)
                .processInstanceBusinessKey(upgradeId).count() > 0) {
            throw new UpgradeRuns.UpgradeRunningException("upgrade " + upgradeId + " already has a rollback (see"
                    + " GET /api/upgrades/" + upgradeId + "); a rejected or aborted rollback is finished by hand");
        }
        vars.remove("upgradeOutcome");
        vars.put("rollbackNeedsApproval", true);
        vars.put("rollbackReason", requestedBy + ": " + reason.strip());
        vars.put("rollbackRequestedBy", requestedBy);
        return lock.startExclusively(upgradeId, requestedBy,
                () -> serviceStart.start(PROCESS_KEY, upgradeId, vars, requestedBy).getId());
    }
}
