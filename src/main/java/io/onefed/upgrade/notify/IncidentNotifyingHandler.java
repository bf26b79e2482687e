package io.onefed.upgrade.notify;

import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.incident.DefaultIncidentHandler;
import org.camunda.bpm.engine.impl.incident.IncidentContext;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.runtime.Incident;

/**
 * The engine's own failed-job incident handling with two additions. The message Cockpit shows starts with where
 * it happened in the operator's terms (zone, step, activity), because an exception names a host or an endpoint
 * but not which step of which zone failed. Then {@code incident.raised} is sent with where and why.
 * The incident itself is the engine's (same type, same job), so Cockpit's retry works as before.
 */
public class IncidentNotifyingHandler extends DefaultIncidentHandler {

    /** Camunda's incident message column holds 4000 characters. */
    static final int MAX_MESSAGE = 4000;

    private final Notifier notifier;

    public IncidentNotifyingHandler(String type, Notifier notifier) {
        super(type);
        this.notifier = notifier;
    }

    @Override
    public Incident handleIncident(IncidentContext context, String message) {
        String full = where(context) + (message == null ? "(no message)" : message);
        if (full.length() > MAX_MESSAGE) {
            full = full.substring(0, MAX_MESSAGE - 3) + "...";
        }
        Incident incident = super.handleIncident(context, full);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("incidentId", incident.getId());
        f.put("incidentType", incident.getIncidentType());
        f.put("processInstanceId", incident.getProcessInstanceId());
        f.put("processDefinitionId", incident.getProcessDefinitionId());
        f.put("activityId", incident.getActivityId());
        f.put("message", full);
        notifier.send("incident.raised", f);
        return incident;
    }

    /** "Zone S-EU-GE, step 'Upgrade the database (onedb upgrade -v)', activity 'Run the step's commands': ". */
    static String where(IncidentContext context) {
        try {
            if (context.getExecutionId() == null || Context.getCommandContext() == null) {
                return "";
            }
            ExecutionEntity execution = Context.getCommandContext().getExecutionManager()
                    .findExecutionById(context.getExecutionId());
            if (execution == null) {
                return "";
            }
            StringBuilder s = new StringBuilder();
            Object zone = execution.getVariable("zoneName");
            if (zone != null) {
                s.append("Zone ").append(zone).append(", ");
            }
            Object step = execution.getVariable("stepTitle");
            if (step == null && execution.getVariable("step") != null) {
                try {
                    step = io.onefed.upgrade.steps.ZoneStep.byId(execution.getVariable("step").toString()).title();
                } catch (IllegalArgumentException unknown) {
                    step = execution.getVariable("step");
                }
            }
            if (step != null) {
                s.append("step '").append(step).append("', ");
            }
            String activity = context.getActivityId();
            if (activity != null && execution.getProcessDefinition() != null
                    && execution.getProcessDefinition().findActivity(activity) != null
                    && execution.getProcessDefinition().findActivity(activity).getName() != null) {
                activity = execution.getProcessDefinition().findActivity(activity).getName();
            }
            if (activity != null) {
                s.append("activity '").append(activity).append("'");
            }
            return s.isEmpty() ? "" : s + ": ";
        } catch (RuntimeException e) {
            return ""; // the incident matters more than its prefix
        }
    }
}
