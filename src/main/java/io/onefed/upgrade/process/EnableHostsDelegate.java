package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.HostFencing;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * {@code EnableHosts}: enables again the hosts that were enabled before, except in the slaves an operator chose to
 * continue without ({@code failedSlaveZoneIds}) and the hosts an operator skipped (they were not upgraded).
 */
public class EnableHostsDelegate implements JavaDelegate {

    private final HostFencing hosts;

    public EnableHostsDelegate(HostFencing hosts) {
        this.hosts = hosts;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable("hostsEnabled", hosts.enable(Vars.str(execution, "enabledHosts"),
                ZoneIdList.setOf(Vars.str(execution, "failedSlaveZoneIds")),
                SkippedHosts.fromHistory(execution.getProcessEngineServices().getHistoryService(),
                        execution.getProcessBusinessKey())));
    }
}
