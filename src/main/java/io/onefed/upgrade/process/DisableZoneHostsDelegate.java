package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.HostFencing;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * {@code DisableZoneHosts} (rolling-upgrade): disables the hosts {@code RecordZoneHosts} found enabled in this
 * zone, while the zone still accepts changes; a separate step so that a crash between them cannot lose the record.
 */
public class DisableZoneHostsDelegate implements JavaDelegate {

    private final HostFencing hosts;

    public DisableZoneHostsDelegate(HostFencing hosts) {
        this.hosts = hosts;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariableLocal("zoneHostsDisabled", hosts.disable(Vars.str(execution, "zoneEnabledHosts")));
    }
}
