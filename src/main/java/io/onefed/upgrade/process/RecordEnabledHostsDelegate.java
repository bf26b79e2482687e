package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.HostFencing;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/** {@code RecordEnabledHosts}: which hypervisor hosts are enabled before the upgrade, the ones to enable after it. */
public class RecordEnabledHostsDelegate implements JavaDelegate {

    private final HostFencing hosts;

    public RecordEnabledHostsDelegate(HostFencing hosts) {
        this.hosts = hosts;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariable("enabledHosts", Vars.longText(hosts.recordEnabled()));
    }
}
