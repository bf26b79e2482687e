package io.onefed.upgrade.process;

import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records how an upgrade ended, on every end event of {@code federation-upgrade}, with the state the
 * federation is left in: what an operator must know before touching it again.
 */
public class OutcomeListener implements ExecutionListener {

    private static final Logger log = LoggerFactory.getLogger(OutcomeListener.class);

    static final Map<String, String[]> OUTCOMES = Map.of(
            "FederationUpgraded", new String[] {"COMPLETED", "every zone upgraded, API access and hosts enabled"},
            "Rejected", new String[] {"REJECTED", "nothing was changed"},
            "AbortedBeforeChange", new String[] {"ABORTED", "aborted at preflight: nothing was changed"},
            "AbortedZonesStopped", new String[] {"ABORTED", "zones disabled and (partly) stopped, hosts disabled;"
                    + " no package or database was changed: start the services and enable the zones by hand"},
            "AbortedMasterFailed", new String[] {"ABORTED", "all zones stopped and disabled; the master is partly"
                    + " upgraded: restore it from the backups in its upgrade directory (configuration and onedb backup)"},
            "AbortedBackupFailed", new String[] {"ABORTED", "master upgraded but its federated backup failed; slaves"
                    + " stopped on the old version: fix and run onedb backup --federated by hand"},
            "AbortedSlavesFailed", new String[] {"ABORTED", "master upgraded; some slaves failed and stay stopped and"
                    + " disabled (see failedSlaveZoneIds); upgraded slaves stay disabled until API access is re-enabled"},
            "AbortedZoneByZone", new String[] {"ABORTED", "zone by zone, stopped after a batch (rollingOutcome):"
                    + " the zones in upgradedZoneIds serve on the target version, a failed zone (failedZoneIds) is left"
                    + " stopped or partly upgraded with its hosts disabled, the zones after it were not touched;"
                    + " SHARED_VERSION_DIFFERS: only the master was touched, stopped on the target's packages before its"
                    + " onedb upgrade (its database not migrated; see sharedVersionFinding): roll it back"});

    /** The ends of federation-rollback, and the upgrade's own end after a rollback decided in it. */
    static final Map<String, String[]> ROLLBACK_OUTCOMES = Map.of(
            "FederationRolledBack", new String[] {"ROLLED_BACK", "every zone the upgrade touched is back on its previous"
                    + " packages, database, configuration, repository and units; API access and hosts enabled again"},
            "RollbackRejected", new String[] {"ROLLBACK_REJECTED", "the rollback was rejected: nothing was changed"},
            "RollbackAborted", new String[] {"ROLLBACK_ABORTED", "an operator aborted a rollback step: zones rolled back"
                    + " so far stay so, the others as the upgrade left them; zones and hosts stay disabled"},
            "UpgradeRolledBack", new String[] {"ROLLED_BACK", "an operator chose roll back: every zone the upgrade"
                    + " touched is back on its previous version; API access and hosts enabled again"});

    /** Every end event that records an outcome, and what it records. */
    static Map<String, String[]> all() {
        Map<String, String[]> all = new java.util.HashMap<>(OUTCOMES);
        all.putAll(ROLLBACK_OUTCOMES);
        return all;
    }

    @Override
    public void notify(DelegateExecution execution) {
        String[] outcome = all().getOrDefault(execution.getCurrentActivityId(),
                new String[] {"ENDED", execution.getCurrentActivityName()});
        Object rolledBack = execution.getVariable("rollbackOutcome");
        if ("UpgradeRolledBack".equals(execution.getCurrentActivityId()) && rolledBack != null
                && !"ROLLED_BACK".equals(rolledBack)) {
            // the rollback the upgrade called ended otherwise (a step aborted): that is how the upgrade ended
            outcome = new String[] {rolledBack.toString(), Vars.str(execution, "rollbackOutcomeDetail")};
        }
        String outcomeText = outcome[0];
        String failed = Vars.str(execution, "failedSlaveZoneIds");
        if ("COMPLETED".equals(outcomeText) && failed != null && !failed.isBlank()) {
            outcomeText = "COMPLETED_WITH_SKIPPED_ZONES";
        }
        execution.setVariable("upgradeOutcome", outcomeText);
        execution.setVariable("upgradeOutcomeDetail", outcome[1]);
        log.info("upgrade {} ended: {} ({})", execution.getProcessBusinessKey(), outcomeText, outcome[1]);
    }
}
