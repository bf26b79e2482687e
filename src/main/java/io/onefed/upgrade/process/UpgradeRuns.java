package io.onefed.upgrade.process;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.steps.OneVersion;
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
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.runtime.VariableInstance;
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

    /** @param readAt when the read that gave this answer began: what it shows is at least this recent */
    public record Status(String upgradeId, String state, String targetVersion, String fromVersion,
            String startedBy, String outcome, String outcomeDetail, List<ZoneState> zones, List<Approval> approvals,
            List<IncidentView> incidents, java.time.Instant readAt) {
    }

    private final RuntimeService runtime;
    private final TaskService tasks;
    private final HistoryService history;
    private final FederationProperties federation;
    private final ProcessSettings settings;
    private final Clock clock;
    private final UpgradeLock lock;
    private final ServiceStart serviceStart;
    private final SecureRandom random = new SecureRandom();
    /**
     * Variables a status read shows that never change once there: a zone process's zoneId and zoneName, and an ended
     * one's outcome, by process instance id. At 100 zones the status read queried them for some 200 instances on
     * every call, while the upgrade's jobs held the database and the cores (benchmark, 2026-12-02); now only the
     * instances that are new since the last read. Only instances the caller's own queries returned are looked up,
     * so the engine's authorizations still decide what a caller sees.
     */
    private final Map<String, Map<String, Object>> settled = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Map<String, Object>> eldest) {
                    return size() > 20_000;
                }
            });

    public UpgradeRuns(RuntimeService runtime, TaskService tasks, HistoryService history,
            FederationProperties federation, ProcessSettings settings, Clock clock, UpgradeLock lock,
            org.camunda.bpm.engine.IdentityService identity) {
        this.lock = lock;
        this.serviceStart = new ServiceStart(runtime, identity);
        this.runtime = runtime;
        this.tasks = tasks;
        this.history = history;
        this.federation = federation;
        this.settings = settings;
        this.clock = clock;
    }

    public String start(String targetVersion, Integer maxParallelZones, String startedBy) {
        return start(targetVersion, maxParallelZones, false, startedBy);
    }

    /** @param forceFederated run the federated procedure even when the release table allows zone by zone */
    public String start(String targetVersion, Integer maxParallelZones, boolean forceFederated, String startedBy) {
        if (federation.all().isEmpty()) {
            throw new InvalidRequestException("federation.zones", "no federation is configured: set FEDERATION_CONFIG"
                    + " to a federation YAML file (see README) and restart");
        }
        if (targetVersion == null || targetVersion.isBlank()) {
            throw new InvalidRequestException("targetVersion", "required, e.g. \"7.0.0\"");
        }
        try {
            // a release, nothing after it: a package suffix like "-1" would be dropped without a word
            if (!targetVersion.strip().matches("\\d{1,3}\\.\\d{1,3}(\\.\\d{1,3}(\\.\\d{1,3})?)?")) {
                throw new IllegalArgumentException("not a release version");
            }
            OneVersion.parse(targetVersion);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("targetVersion", "'" + cut(targetVersion) + "' is not a version like"
                    + " 7.0.1 (MAJOR.MINOR.PATCH, or MAJOR.MINOR.PATCH.BUILD for a CE maintenance release like 6.10.0.1)");
        }
        int parallel = maxParallelZones == null ? settings.defaultMaxParallelZones() : maxParallelZones;
        if (parallel < 1 || parallel > 1000) {
            throw new InvalidRequestException("maxParallelZones", parallel + " is out of range: give 1 to 1000"
                    + " (how many slave zones are upgraded at once)");
        }
        // a quick answer for the common case; suspended upgrades count too. Not the guard: two requests can both
        // pass here, the lock row below lets exactly one of them start
        List<ProcessInstance> running = runtime.createProcessInstanceQuery().processDefinitionKey(PROCESS_KEY).list();
        if (!running.isEmpty()) {
            throw new UpgradeRunningException("upgrade " + running.get(0).getBusinessKey() + " is still running:"
                    + " finish or cancel it before starting another one");
        }
        String id = newId();
        checked(id);
        ZoneProperties master = federation.master();
        Map<String, Object> vars = new HashMap<>();
        vars.put("upgradeId", id);
        vars.put("targetVersion", OneVersion.parse(targetVersion).toString());
        vars.put("maxParallelZones", parallel);
        vars.put("forceFederated", forceFederated);
        vars.put("startedBy", startedBy);
        vars.put("masterZoneId", master.id());
        vars.put("slaveZoneIds", ZoneIdList.csv(federation.slaves().stream().map(ZoneProperties::id).toList()));
        vars.put("allZoneIds", ZoneIdList.csv(federation.all().stream().map(ZoneProperties::id).toList()));
        vars.put("fedIndexRechecksLeft", settings.fedIndexRechecks());
        vars.put("stopAttempt", 1);
        vars.put("masterAttempt", 1);
        vars.put("slaveAttempt", 1);
        // the engine records startedBy as the start user (four eyes trusts that, not the variable); the lock row
        // makes the start exclusive across threads and nodes
        lock.startExclusively(id, startedBy,
                () -> serviceStart.start(PROCESS_KEY, id, vars, startedBy).getId());
        return id;
    }

    /** Between the quick check and the guarded start; tests hold concurrent starts here. */
    protected void checked(String upgradeId) {
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
        java.time.Instant readAt = clock.instant();
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
        // one query per kind, and instances that end while we look are skipped: a status read never fails
        // because the upgrade moved on under it
        List<ProcessInstance> active = runtime.createProcessInstanceQuery().processInstanceBusinessKey(upgradeId).list();
        // zoneId and zoneName are set when the instance starts and never again
        Map<String, Map<String, Object>> varsByInstance = settledVariables("running:",
                active.stream().map(ProcessInstance::getId).toList(),
                unread -> byInstance(runtime.createVariableInstanceQuery().processInstanceIdIn(unread)
                        .variableNameIn("zoneId", "zoneName").list(), VariableInstance::getProcessInstanceId,
                        VariableInstance::getName, VariableInstance::getValue),
                v -> v.get("zoneId") != null && v.get("zoneName") != null);
        Map<Integer, ZoneState> zoneStates = new LinkedHashMap<>();
        finishedZones(upgradeId, zoneStates);
        Set<String> activeIds = active.stream().map(ProcessInstance::getId).collect(Collectors.toSet());
        // One query for every instance's current activities, not one per zone (a read at 100 zones would make 100):
        // a history query, not runtime.getActiveActivityIds, which loads the execution entities, and a job moving
        // the instance on meanwhile makes that read fail (optimistic locking). Unfinished activity instances exist
        // only in running instances, and one upgrade runs at a time; the ids filter keeps this upgrade's.
        Map<String, List<String>> activitiesByInstance = new HashMap<>();
        if (!active.isEmpty()) {
            history.createHistoricActivityInstanceQuery().unfinished().list().stream()
                    .filter(a -> activeIds.contains(a.getProcessInstanceId()))
                    .filter(a -> !a.getActivityId().endsWith("#multiInstanceBody"))
                    .forEach(a -> activitiesByInstance.computeIfAbsent(a.getProcessInstanceId(), k -> new ArrayList<>())
                            .add(a.getActivityId()));
        }
        for (ProcessInstance pi : active) {
            Map<String, Object> v = varsByInstance.getOrDefault(pi.getId(), Map.of());
            // rolling-upgrade holds the zone ids of its batch as multi-instance locals: not a zone's own process
            if (v.get("zoneId") instanceof Number n && !pi.getProcessDefinitionId().startsWith("remote-step")
                    && !pi.getProcessDefinitionId().startsWith("rolling-upgrade")) {
                List<String> activities = activitiesByInstance.getOrDefault(pi.getId(), List.of()).stream().distinct()
                        .toList();
                if (activities.isEmpty()) {
                    continue; // ended while we looked
                }
                zoneStates.put(n.intValue(), new ZoneState(n.intValue(), String.valueOf(v.get("zoneName")),
                        pi.getProcessDefinitionId().split(":")[0], activities));
            }
        }
        List<Approval> approvals = tasks.createTaskQuery().processInstanceBusinessKey(upgradeId).list().stream()
                .map(t -> new Approval(t.getId(), t.getName(), zoneOf(varsByInstance, t), "operators")).toList();
        // the open incidents in one query (they are few), this upgrade's kept, in the order of its instances
        List<IncidentView> incidents = new ArrayList<>();
        if (!active.isEmpty()) {
            Map<String, List<Incident>> byInstance = new HashMap<>();
            runtime.createIncidentQuery().list().stream().filter(i -> activeIds.contains(i.getProcessInstanceId()))
                    .forEach(i -> byInstance.computeIfAbsent(i.getProcessInstanceId(), k -> new ArrayList<>()).add(i));
            for (ProcessInstance pi : active) {
                byInstance.getOrDefault(pi.getId(), List.of()).forEach(i -> incidents.add(new IncidentView(
                        i.getId(), i.getActivityId(), messageOf(i), i.getProcessDefinitionId())));
            }
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
                root.getStartUserId(), (String) vars.get("upgradeOutcome"),
                (String) vars.get("upgradeOutcomeDetail"), new ArrayList<>(zoneStates.values()), approvals, incidents,
                readAt);
    }

    /**
     * A call activity's incident has no message of its own, only a link to the failed job's incident deeper down:
     * show that cause, so every incident in the status says what failed.
     */
    private String messageOf(Incident incident) {
        if (incident.getIncidentMessage() != null || incident.getRootCauseIncidentId() == null
                || incident.getRootCauseIncidentId().equals(incident.getId())) {
            return incident.getIncidentMessage();
        }
        Incident root = runtime.createIncidentQuery().incidentId(incident.getRootCauseIncidentId()).singleResult();
        return root == null ? null : root.getIncidentMessage();
    }

    /** Zones whose processes have ended, by their last process: "zone-upgrade: UPGRADED", "zone-stop: ended". */
    private void finishedZones(String upgradeId, Map<Integer, ZoneState> zoneStates) {
        // the zone processes only: the query no longer returns the upgrade's thousand ended remote steps
        List<HistoricProcessInstance> ended = history.createHistoricProcessInstanceQuery()
                .processInstanceBusinessKey(upgradeId).processDefinitionKeyIn("zone-upgrade", "zone-stop").finished()
                .orderByProcessInstanceStartTime().asc().list();
        if (ended.isEmpty()) {
            return;
        }
        // an ended instance's variables never change
        Map<String, Map<String, Object>> vars = settledVariables("ended:",
                ended.stream().map(HistoricProcessInstance::getId).toList(),
                unread -> byInstance(history.createHistoricVariableInstanceQuery().processInstanceIdIn(unread)
                        .variableNameIn("zoneId", "zoneName", "zoneOutcome").list(),
                        HistoricVariableInstance::getProcessInstanceId, HistoricVariableInstance::getName,
                        HistoricVariableInstance::getValue),
                v -> true);
        for (HistoricProcessInstance h : ended) {
            Map<String, Object> v = vars.getOrDefault(h.getId(), Map.of());
            if (v.get("zoneId") instanceof Number n) {
                Object outcome = v.get("zoneOutcome");
                zoneStates.put(n.intValue(), new ZoneState(n.intValue(), String.valueOf(v.get("zoneName")),
                        h.getProcessDefinitionKey(), List.of(outcome == null ? "ended" : "ended: " + outcome)));
            }
        }
    }

    /**
     * These instances' variables: those {@link #settled} holds (under {@code kind}, since a running instance's are
     * not yet an ended one's), the others in one query, kept once {@code isSettled} says they no longer change.
     */
    private Map<String, Map<String, Object>> settledVariables(String kind, List<String> ids,
            Function<String[], Map<String, Map<String, Object>>> query, Predicate<Map<String, Object>> isSettled) {
        Map<String, Map<String, Object>> vars = new HashMap<>();
        List<String> unread = new ArrayList<>();
        for (String id : ids) {
            Map<String, Object> known = settled.get(kind + id);
            if (known != null) {
                vars.put(id, known);
            } else {
                unread.add(id);
            }
        }
        if (!unread.isEmpty()) {
            Map<String, Map<String, Object>> read = query.apply(unread.toArray(String[]::new));
            for (String id : unread) {
                Map<String, Object> v = java.util.Collections.unmodifiableMap(read.getOrDefault(id, new HashMap<>()));
                vars.put(id, v);
                if (isSettled.test(v)) {
                    settled.put(kind + id, v);
                }
            }
        }
        return vars;
    }

    /** Variables by process instance, the first of a name kept (a local copy further down does not replace it). */
    private static <V> Map<String, Map<String, Object>> byInstance(List<V> variables, Function<V, String> instance,
            Function<V, String> name, Function<V, Object> value) {
        Map<String, Map<String, Object>> out = new HashMap<>();
        for (V v : variables) {
            out.computeIfAbsent(instance.apply(v), k -> new HashMap<>()).putIfAbsent(name.apply(v), value.apply(v));
        }
        return out;
    }

    private static String zoneOf(Map<String, Map<String, Object>> varsByInstance, Task task) {
        Object name = varsByInstance.getOrDefault(task.getProcessInstanceId(), Map.of()).get("zoneName");
        return name == null ? "federation" : name.toString();
    }

    private static String cut(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

}
