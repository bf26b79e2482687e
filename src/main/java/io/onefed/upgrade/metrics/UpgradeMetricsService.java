package io.onefed.upgrade.metrics;

import io.onefed.upgrade.audit.ApiFreezeWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.task.Task;

/**
 * Computes the upgrade metrics from the engine, with a fixed number of queries whatever the number of zones
 * (about ten: counts for the finished upgrades, one list each of the live instances, their open activities, tasks,
 * incidents and zone ids, and the last upgrade's own activities). Rows grow with the zones of the running upgrade,
 * the number of round trips does not. Public engine API only.
 */
public class UpgradeMetricsService {

    static final String ROOT = "federation-upgrade";
    static final String ZONE_UPGRADE = "zone-upgrade";
    static final String ZONE_STOP = "zone-stop";
    static final String[] KEYS = {ROOT, ZONE_UPGRADE, ZONE_STOP, "remote-step"};
    /** End events of a zone's processes that mean it went well. */
    static final Set<String> ZONE_DONE = Set.of("ZoneUpgraded", "ZoneStopped");

    /** What one refresh found. {@code zones}: (step, state) -> number of zones. */
    public record Snapshot(Instant at, Map<String, Long> upgrades, Map<ZoneKey, Long> zones, long approvalsWaiting,
            double oldestApprovalAgeSeconds, long incidentsOpen, double lastApiFreezeSeconds, boolean lastApiFrozen) {

        public static Snapshot empty(Instant at) {
            Map<String, Long> upgrades = new LinkedHashMap<>();
            UpgradeMetrics.UPGRADE_STATES.forEach(s -> upgrades.put(s, 0L));
            return new Snapshot(at, upgrades, Map.of(), 0, 0, 0, 0, false);
        }
    }

    public record ZoneKey(String step, String state) {
    }

    private final HistoryService history;
    private final RuntimeService runtime;
    private final TaskService tasks;

    public UpgradeMetricsService(HistoryService history, RuntimeService runtime, TaskService tasks) {
        this.history = history;
        this.runtime = runtime;
        this.tasks = tasks;
    }

    public Snapshot compute(Instant now) {
        // the ended upgrades before the live ones: each query sees the database of its own moment, so an upgrade
        // that ends between them is left out of this snapshot (the next refresh counts it), never counted as ended
        // and as live at once (a completed upgrade whose zones still showed as running)
        long finished = history.createHistoricProcessInstanceQuery().processDefinitionKey(ROOT).finished().count();
        long completed = history.createHistoricProcessInstanceQuery().processDefinitionKey(ROOT).finished()
                .variableValueLike("upgradeOutcome", "COMPLETED%").count();
        long rejected = history.createHistoricProcessInstanceQuery().processDefinitionKey(ROOT).finished()
                .variableValueEquals("upgradeOutcome", "REJECTED").count();
        // live instances of every upgrade process: their business key is the upgrade id, super links a step to its zone
        List<HistoricProcessInstance> live = history.createHistoricProcessInstanceQuery().processDefinitionKeyIn(KEYS)
                .unfinished().list();
        Map<String, HistoricProcessInstance> liveById = new HashMap<>();
        live.forEach(p -> liveById.put(p.getId(), p));
        List<Task> open = tasks.createTaskQuery().processDefinitionKeyIn(KEYS).list();
        List<Incident> incidents = runtime.createIncidentQuery().processDefinitionKeyIn(KEYS).list();
        // a failed job raises one incident in its instance and a copy on every calling activity above it
        long incidentsOpen = incidents.stream()
                .filter(i -> i.getRootCauseIncidentId() == null || i.getRootCauseIncidentId().equals(i.getId())).count();

        Map<String, Long> upgrades = new LinkedHashMap<>();
        UpgradeMetrics.UPGRADE_STATES.forEach(s -> upgrades.put(s, 0L));
        Set<String> runningUpgrades = new HashSet<>();
        Set<String> withIncident = new HashSet<>();
        incidents.forEach(i -> withIncident.add(upgradeOf(liveById, i.getProcessInstanceId())));
        Set<String> withTask = new HashSet<>();
        open.forEach(t -> withTask.add(upgradeOf(liveById, t.getProcessInstanceId())));
        for (HistoricProcessInstance p : live) {
            if (ROOT.equals(p.getProcessDefinitionKey())) {
                runningUpgrades.add(p.getBusinessKey());
                String state = withIncident.contains(p.getBusinessKey()) ? "incident"
                        : withTask.contains(p.getBusinessKey()) ? "waiting_for_approval" : "running";
                upgrades.merge(state, 1L, Long::sum);
            }
        }
        upgrades.put("completed", completed);
        upgrades.put("rejected", rejected);
        // every other end (an aborted path, a cancel in Cockpit) is an abort
        upgrades.put("aborted", Math.max(0, finished - completed - rejected));

        Map<ZoneKey, Long> zones = runningUpgrades.isEmpty() ? Map.of()
                : zones(runningUpgrades, live, liveById, open, incidents);

        long waiting = open.size();
        double oldest = open.stream().map(Task::getCreateTime).filter(d -> d != null).min(Comparator.naturalOrder())
                .map(d -> Math.max(0, Duration.between(d.toInstant(), now).toMillis() / 1000.0)).orElse(0.0);

        double freeze = 0;
        boolean frozen = false;
        List<HistoricProcessInstance> last = history.createHistoricProcessInstanceQuery().processDefinitionKey(ROOT)
                .orderByProcessInstanceStartTime().desc().listPage(0, 1);
        if (!last.isEmpty()) {
            HistoricProcessInstance root = last.get(0);
            Optional<ApiFreezeWindow> window = ApiFreezeWindow.of(history.createHistoricActivityInstanceQuery()
                    .processInstanceId(root.getId()).list().stream()
                    .filter(a -> ApiFreezeWindow.BLOCKED_BY.contains(a.getActivityId())
                            || ApiFreezeWindow.OPENED_BY.contains(a.getActivityId()))
                    .map(a -> new ApiFreezeWindow.Activity(a.getActivityId(), instant(a.getStartTime()),
                            instant(a.getEndTime())))
                    .toList());
            if (window.isPresent()) {
                // an upgrade that ended without re-enabling the API counts until its end: what happened to the
                // federation afterwards (enabled by hand?) is not in the history
                Instant until = root.getEndTime() == null ? now : root.getEndTime().toInstant();
                freeze = window.get().length(until).toMillis() / 1000.0;
                frozen = window.get().frozen() && root.getEndTime() == null;
            }
        }
        return new Snapshot(now, upgrades, zones, waiting, oldest, incidentsOpen, freeze, frozen);
    }

    /** Every zone of the running upgrades, by its latest process (stop, then upgrade): where it stands. */
    private Map<ZoneKey, Long> zones(Set<String> runningUpgrades, List<HistoricProcessInstance> live,
            Map<String, HistoricProcessInstance> liveById, List<Task> open, List<Incident> incidents) {
        List<HistoricProcessInstance> zoneInstances = new ArrayList<>();
        live.stream().filter(p -> isZoneProcess(p) && runningUpgrades.contains(p.getBusinessKey()))
                .forEach(zoneInstances::add);
        zoneInstances.addAll(history.createHistoricProcessInstanceQuery()
                .processInstanceBusinessKeyIn(runningUpgrades.toArray(String[]::new))
                .processDefinitionKeyIn(ZONE_UPGRADE, ZONE_STOP).finished().list());
        if (zoneInstances.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> zoneIdOf = new HashMap<>();
        history.createHistoricVariableInstanceQuery()
                .processInstanceIdIn(zoneInstances.stream().map(HistoricProcessInstance::getId).toArray(String[]::new))
                .variableName("zoneId").list()
                .forEach(v -> zoneIdOf.putIfAbsent(v.getProcessInstanceId(), v.getValue()));
        // the latest process of each zone of each upgrade
        Map<String, HistoricProcessInstance> latest = new HashMap<>();
        for (HistoricProcessInstance p : zoneInstances) {
            Object zone = zoneIdOf.get(p.getId());
            String key = p.getBusinessKey() + "/" + (zone == null ? p.getId() : zone);
            latest.merge(key, p, (a, b) -> b.getStartTime().after(a.getStartTime()) ? b : a);
        }
        Set<String> liveZoneIds = new HashSet<>();
        latest.values().stream().filter(p -> p.getEndTime() == null).forEach(p -> liveZoneIds.add(p.getId()));
        Map<String, HistoricActivityInstance> current = new HashMap<>();
        if (!liveZoneIds.isEmpty()) {
            // one query for every open activity of the engine (only upgrades run here), not one per zone
            for (HistoricActivityInstance a : history.createHistoricActivityInstanceQuery().unfinished().list()) {
                if (liveZoneIds.contains(a.getProcessInstanceId()) && !a.getActivityId().endsWith("#multiInstanceBody")) {
                    current.merge(a.getProcessInstanceId(), a,
                            (x, y) -> y.getStartTime().after(x.getStartTime()) ? y : x);
                }
            }
        }
        Set<String> zoneWithIncident = new HashSet<>();
        incidents.forEach(i -> zoneWithIncident.add(zoneInstanceOf(liveById, i.getProcessInstanceId())));
        Set<String> zoneWithTask = new HashSet<>();
        open.forEach(t -> zoneWithTask.add(zoneInstanceOf(liveById, t.getProcessInstanceId())));
        Map<ZoneKey, Long> zones = new TreeMap<>(Comparator.comparing(ZoneKey::step).thenComparing(ZoneKey::state));
        for (HistoricProcessInstance p : latest.values()) {
            ZoneKey key;
            if (p.getEndTime() != null) {
                String end = p.getEndActivityId() == null ? "ended" : p.getEndActivityId();
                key = new ZoneKey(end, ZONE_DONE.contains(end) ? "done" : "aborted");
            } else {
                HistoricActivityInstance a = current.get(p.getId());
                String step = a == null ? "starting" : a.getActivityId();
                String state = zoneWithIncident.contains(p.getId()) ? "incident"
                        : zoneWithTask.contains(p.getId()) ? "waiting_for_approval" : "running";
                key = new ZoneKey(step, state);
            }
            zones.merge(key, 1L, Long::sum);
        }
        return zones;
    }

    private static boolean isZoneProcess(HistoricProcessInstance p) {
        return ZONE_UPGRADE.equals(p.getProcessDefinitionKey()) || ZONE_STOP.equals(p.getProcessDefinitionKey());
    }

    /** The upgrade id of a live instance (null when it ended meanwhile). */
    private static String upgradeOf(Map<String, HistoricProcessInstance> liveById, String processInstanceId) {
        HistoricProcessInstance p = liveById.get(processInstanceId);
        return p == null ? null : p.getBusinessKey();
    }

    /** The zone process a live instance belongs to: itself, or the zone process that called its step. */
    private static String zoneInstanceOf(Map<String, HistoricProcessInstance> liveById, String processInstanceId) {
        HistoricProcessInstance p = liveById.get(processInstanceId);
        if (p != null && !isZoneProcess(p) && p.getSuperProcessInstanceId() != null) {
            HistoricProcessInstance parent = liveById.get(p.getSuperProcessInstanceId());
            return parent != null && isZoneProcess(parent) ? parent.getId() : processInstanceId;
        }
        return processInstanceId;
    }

    private static Instant instant(Date d) {
        return d == null ? null : d.toInstant();
    }
}
