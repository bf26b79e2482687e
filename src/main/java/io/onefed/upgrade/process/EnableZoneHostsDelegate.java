package io.onefed.upgrade.process;

import io.onefed.upgrade.steps.HostFencing;
import java.util.Set;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;

/**
 * {@code EnableZoneHosts} (rolling-upgrade): enables again the zone's hosts recorded as enabled, once the zone runs
 * the target version, except the hosts an operator skipped in the node upgrade (they were not upgraded).
 */
public class EnableZoneHostsDelegate implements JavaDelegate {

    private final HostFencing hosts;

    public EnableZoneHostsDelegate(HostFencing hosts) {
        this.hosts = hosts;
    }

    @Override
    public void execute(DelegateExecution execution) {
        execution.setVariableLocal("zoneHostsEnabled", hosts.enable(Vars.str(execution, "zoneEnabledHosts"), Set.of(),
                SkippedHosts.fromHistory(execution.getProcessEngineServices().getHistoryService(),
                        execution.getProcessBusinessKey())));
    }
}
