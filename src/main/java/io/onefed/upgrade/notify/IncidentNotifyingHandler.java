package io.onefed.upgrade.notify;

import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.impl.incident.DefaultIncidentHandler;
import org.camunda.bpm.engine.impl.incident.IncidentContext;
import org.camunda.bpm.engine.runtime.Incident;

/**
 * The engine's own failed-job incident handling, plus a notification: the incident is created exactly as
 * before (Cockpit shows it, its retry works), then {@code incident.raised} is sent with where and why.
 */
public class IncidentNotifyingHandler extends DefaultIncidentHandler {

    private final Notifier notifier;

    public IncidentNotifyingHandler(String type, Notifier notifier) {
        super(type);
        this.notifier = notifier;
    }

    @Override
    public Incident handleIncident(IncidentContext context, String message) {
        Incident incident = super.handleIncident(context, message);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("incidentId", incident.getId());
        f.put("incidentType", incident.getIncidentType());
        f.put("processInstanceId", incident.getProcessInstanceId());
        f.put("processDefinitionId", incident.getProcessDefinitionId());
        f.put("activityId", incident.getActivityId());
        f.put("message", message);
        notifier.send("incident.raised", f);
        return incident;
    }
}
