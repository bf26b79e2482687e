package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.steps.Zones;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;

/** Start of a zone process: the zone's name and kind, for the gateways and for people reading Cockpit. */
public class ZoneFactsListener implements ExecutionListener {

    private final Zones zones;

    public ZoneFactsListener(Zones zones) {
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
