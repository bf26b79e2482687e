package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.HostFencing;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * {@code ReenableHostsAfterRollback}: the hosts recorded as enabled before the upgrade ({@code enabledHosts}) are
 * enabled again in every zone, those an operator skipped in the node upgrade included: after the rollback their
 * zone runs the version they still have.
 */
public class ReenableHostsAfterRollbackDelegate implements JavaDelegate {

    private final HostFencing hosts;

    public ReenableHostsAfterRollbackDelegate(HostFencing hosts) {
        this.hosts = hosts;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable("hostsEnabled", hosts.enable(Vars.str(execution, "enabledHosts"), Set.of()));
    }
}
