package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.upgrade.OneVersion;
import io.onefed.upgrade.upgrade.Zones;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.exception.NullValueException;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;

/**
 * Starting an upgrade and reading where it stands. The upgrade id is the business key of the
 * {@code federation-upgrade} instance and of every zone and step instance it calls, so one query finds them all.
 */
public class UpgradeRuns {

    public static final String PROCESS_KEY = "federation-upgrade";

    /** A request that cannot start, with the field at fault. */
    public static class InvalidRequestException extends RuntimeException {
        private final String field;

        public InvalidRequestException(String field, String message) {
            super(field + ": " + message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** Another upgrade of the same federation is still running. */
    public static class UpgradeRunningException extends RuntimeException {
        public UpgradeRunningException(String message) {
            super(message);
        }
    }

    public record ZoneState(int zoneId, String zoneName, String process, List<String> activities) {
    }

    public record Approval(String taskId, String name, String zone, String candidateGroup) {
    }

    public record IncidentView(String id, String activity, String message, String process) {
    }

    public record Status(String upgradeId, String state, String targetVersion, String fromVersion,
            String startedBy, String outcome, String outcomeDetail, List<ZoneState> zones, List<Approval> approvals,
            List<IncidentView> incidents) {
    }

    private final RuntimeService runtime;
    private final TaskService tasks;
    private final HistoryService history;
    private final Zones zones;
    private final ProcessSettings settings;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public UpgradeRuns(RuntimeService runtime, TaskService tasks, HistoryService history, Zones zones,
            ProcessSettings settings, Clock clock) {
        this.runtime = runtime;
        this.tasks = tasks;
        this.history = history;
        this.zones = zones;
        this.settings = settings;
        this.clock = clock;
    }

    public String start(String targetVersion, Integer maxParallelZones, String startedBy) {
        if (zones.all().isEmpty()) {
            throw new InvalidRequestException("federation.zones", "no federation is configured: set FEDERATION_CONFIG"
                    + " to a federation YAML file (see README) and restart");
        }
        if (targetVersion == null || targetVersion.isBlank()) {
            throw new InvalidRequestException("targetVersion", "required, e.g. \"7.0.0\"");
        }
        try {
            OneVersion.parse(targetVersion);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("targetVersion", "'" + cut(targetVersion) + "' is not a version like"
                    + " 7.0.0 (MAJOR.MINOR.PATCH)");
        }
        int parallel = maxParallelZones == null ? settings.defaultMaxParallelZones() : maxParallelZones;
        if (parallel < 1 || parallel > 1000) {
            throw new InvalidRequestException("maxParallelZones", parallel + " is out of range: give 1 to 1000"
                    + " (how many slave zones are upgraded at once)");
        }
        List<ProcessInstance> running = runtime.createProcessInstanceQuery().processDefinitionKey(PROCESS_KEY).active().list();
        if (!running.isEmpty()) {
            throw new UpgradeRunningException("upgrade " + running.get(0).getBusinessKey() + " is still running:"
                    + " finish or cancel it before starting another one");
        }
        String id = newId();
        ZoneProperties master = zones.master();
        Map<String, Object> vars = new HashMap<>();
        vars.put("upgradeId", id);
        vars.put("targetVersion", OneVersion.parse(targetVersion).toString());
        vars.put("maxParallelZones", parallel);
        vars.put("startedBy", startedBy);
        vars.put("masterZoneId", master.id());
        vars.put("slaveZoneIds", ZoneIdList.csv(zones.slaves().stream().map(ZoneProperties::id).toList()));
        vars.put("allZoneIds", ZoneIdList.csv(zones.all().stream().map(ZoneProperties::id).toList()));
        vars.put("fedIndexRechecksLeft", settings.fedIndexRechecks());
        vars.put("stopAttempt", 1);
        vars.put("masterAttempt", 1);
        vars.put("slaveAttempt", 1);
        runtime.startProcessInstanceByKey(PROCESS_KEY, id, vars);
        return id;
    }

    String newId() {
        byte[] b = new byte[2];
        random.nextBytes(b);
        return "U" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(clock.instant())
                + "-" + HexFormat.of().formatHex(b);
    }

    public List<String> ids() {
        return history.createHistoricProcessInstanceQuery().processDefinitionKey(PROCESS_KEY)
                .orderByProcessInstanceStartTime().desc().list().stream().map(HistoricProcessInstance::getBusinessKey).toList();
    }

    public Status status(String upgradeId) {
        HistoricProcessInstance root = history.createHistoricProcessInstanceQuery().processDefinitionKey(PROCESS_KEY)
                .processInstanceBusinessKey(upgradeId).singleResult();
        if (root == null) {
            return null;
        }
        Map<String, Object> vars = new HashMap<>();
        for (HistoricVariableInstance v : history.createHistoricVariableInstanceQuery().processInstanceId(root.getId())
                .variableNameIn("targetVersion", "fromVersion", "startedBy", "upgradeOutcome", "upgradeOutcomeDetail").list()) {
            vars.put(v.getName(), v.getValue());
        }
        List<ProcessInstance> active = runtime.createProcessInstanceQuery().processInstanceBusinessKey(upgradeId).list();
        Map<Integer, ZoneState> zoneStates = new LinkedHashMap<>();
        for (ProcessInstance pi : active) {
            try {
                Object zoneId = runtime.getVariable(pi.getId(), "zoneId");
                if (zoneId instanceof Number n && !pi.getProcessDefinitionId().startsWith("remote-step")) {
                    String name = String.valueOf(runtime.getVariable(pi.getId(), "zoneName"));
                    List<String> activities = new ArrayList<>(runtime.getActiveActivityIds(pi.getId()));
                    zoneStates.put(n.intValue(), new ZoneState(n.intValue(), name, pi.getProcessDefinitionId().split(":")[0], activities));
                }
            } catch (NullValueException e) {
                // the instance ended between the query and this read (a zone finishing a step): nothing to show
            }
        }
        List<Approval> approvals = tasks.createTaskQuery().processInstanceBusinessKey(upgradeId).list().stream()
                .map(t -> new Approval(t.getId(), t.getName(), zoneOf(t), "operators")).toList();
        List<String> ids = active.stream().map(ProcessInstance::getId).toList();
        List<IncidentView> incidents = new ArrayList<>();
        for (String pid : ids) {
            runtime.createIncidentQuery().processInstanceId(pid).list().forEach(i -> incidents.add(new IncidentView(
                    i.getId(), i.getActivityId(), i.getIncidentMessage(), i.getProcessDefinitionId())));
        }
        String state;
        if (root.getEndTime() != null) {
            String outcome = String.valueOf(vars.get("upgradeOutcome"));
            state = outcome.startsWith("COMPLETED") ? "completed" : "REJECTED".equals(outcome) ? "rejected" : "aborted";
        } else if (!incidents.isEmpty()) {
            state = "incident";
        } else if (!approvals.isEmpty()) {
            state = "waiting for approval";
        } else {
            state = "running";
        }
        return new Status(upgradeId, state, (String) vars.get("targetVersion"), (String) vars.get("fromVersion"),
                (String) vars.get("startedBy"), (String) vars.get("upgradeOutcome"),
                (String) vars.get("upgradeOutcomeDetail"), new ArrayList<>(zoneStates.values()), approvals, incidents);
    }

    private String zoneOf(Task task) {
        Object name = runtime.getVariable(task.getExecutionId(), "zoneName");
        return name == null ? "federation" : name.toString();
    }

    private static String cut(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

}
