package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.HostFencing;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/** {@code DisableHosts}: disables the hosts {@code RecordEnabledHosts} found enabled, so no VM is scheduled meanwhile. */
public class DisableHostsDelegate implements JavaDelegate {

    private final HostFencing hosts;

    public DisableHostsDelegate(HostFencing hosts) {
        this.hosts = hosts;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable("hostsDisabled", hosts.disable(Vars.str(execution, "enabledHosts")));
    }
}
