package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;

/** Start of a zone process: the zone's name and kind, for the gateways and for people reading Cockpit. */
public class ZoneFactsListener implements ExecutionListener {

    private final FederationProperties federation;

    public ZoneFactsListener(FederationProperties federation) {
        this.federation = federation;
    }

    @Override
    public void notify(DelegateExecution execution) {
        ZoneProperties zone = federation.byId(Vars.integer(execution, "zoneId", -1));
        execution.setVariable("zoneName", zone.name());
        execution.setVariable("zoneMaster", zone.isMaster());
        execution.setVariable("zoneHa", zone.ha() && zone.servers().size() > 1);
    }
}
