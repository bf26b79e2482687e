package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.HostFencing;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * {@code RecordZoneHosts} (rolling-upgrade): which of this zone's hypervisor hosts are enabled before its upgrade,
 * the ones to enable after it. Kept local to the zone's instance of the batch, so parallel zones keep their own;
 * {@code zoneOutcome} is declared there too, so the zone-upgrade's outcome mapped out lands on this zone only.
 */
public class RecordZoneHostsDelegate implements JavaDelegate {

    private final HostFencing hosts;

    public RecordZoneHostsDelegate(HostFencing hosts) {
        this.hosts = hosts;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariableLocal("zoneOutcome", null);
        execution.setVariableLocal("zoneEnabledHosts", Vars.longText(hosts.recordEnabled(Vars.integer(execution, "zoneId", -1))));
    }
}
