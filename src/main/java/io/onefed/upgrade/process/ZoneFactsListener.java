package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;

/** Start of a zone process: the zone's name and kind, for the gateways and for people reading Cockpit. */
public class ZoneFactsListener implements ExecutionListener {

    private final FederationProperties zones;

    public ZoneFactsListener(FederationProperties zones) {
        this.zones = zones;
    }

    @Override
    public void notify(DelegateExecution execution) {
        ZoneProperties zone = zones.byId(Vars.integer(execution, "zoneId", -1));
        execution.setVariable("zoneName", zone.name());
        execution.setVariable("zoneMaster", zone.isMaster());
        execution.setVariable("zoneHa", zone.ha() && zone.servers().size() > 1);
    }
}
