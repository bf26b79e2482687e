package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.HostFencing;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * {@code ReenableHostsAfterRollback}: the hosts recorded as enabled before the upgrade are enabled again in every
 * zone, those an operator skipped in the node upgrade included: after the rollback their zone runs the version
 * they still have. The federated procedure recorded them once ({@code enabledHosts}); the zone-by-zone procedure
 * per zone ({@link ZoneHostRecords}): a failed zone left its own hosts disabled, and each restored database holds
 * its hosts as they were at its backup, after its zone disabled them. Hosts disabled before the upgrade were in no
 * record and stay disabled.
 */
public class ReenableHostsAfterRollbackDelegate implements JavaDelegate {

    private final HostFencing hosts;

    public ReenableHostsAfterRollbackDelegate(HostFencing hosts) {
        this.hosts = hosts;
    }

    @Override
    public void execute(DelegateExecution execution) {
        String recorded = HostFencing.union(java.util.Arrays.asList(Vars.str(execution, "enabledHosts"), ZoneHostRecords.fromHistory(
                execution.getProcessEngineServices().getHistoryService(), execution.getProcessBusinessKey())));
        execution.setVariable("hostsEnabled", hosts.enable(recorded, Set.of()));
    }
}
