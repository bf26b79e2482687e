package io.onefed.upgrade.progress;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.variable.value.FileValue;

/**
 * Reads where an upgrade stands for the live page and {@code follow}. The upgrade id is the business key of
 * every instance of the upgrade (root, zone-stop, zone-upgrade, remote-step), so each kind of fact is one query
 * over all of them: the instances, their zone/step variables, the open activities, the pending tasks, the open
 * incidents, and (only when its hash changed) the plan; the variables only of instances not seen ended before.
 * Seven queries per read at most, whatever the number of zones: the
 * page polls every second, and a query per zone (as {@code GET /api/upgrades/{id}} makes) would cost 100 round
 * trips per poll and per viewer at 100 zones. The rules that turn the facts into rows are {@link ProgressModel}'s.
 */
public class ProgressService {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Process-level variables the rows need; everything else stays in the database. */
    static final String[] VARIABLES = {"zoneId", "zoneName", "step", "zoneOutcome", "upgradeOutcome", "fromVersion",
            "targetVersion", "allZoneIds", "masterZoneId", "planHash", ProgressModel.CHECKSUM_DONE_VARIABLE,
            ProgressModel.PROCEDURE_VARIABLE};

    private final HistoryService history;
    private final RuntimeService runtime;
    private final TaskService tasks;
    private final FederationProperties federation;
    private final ProgressModel.Links links;
    private final Clock clock;
    /** Plans parsed once per hash: the plan of 100 zones is megabytes of commands, the page needs its steps. */
    private final Map<String, List<ProgressModel.PlanStep>> plans = Collections.synchronizedMap(
            new LinkedHashMap<>(8, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, List<ProgressModel.PlanStep>> eldest) {
                    return size() > 8;
                }
            });

    /** Per upgrade (the last few read), its instances that have ended, with their variables. */
    private final Map<String, Map<String, ProgressModel.Instance>> ended = Collections.synchronizedMap(
            new LinkedHashMap<>(8, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Map<String, ProgressModel.Instance>> eldest) {
                    return size() > 4;
                }
            });

    /** @param webappPath where Tasklist and Cockpit are served ({@code camunda.bpm.webapp.application-path}) */
    public ProgressService(HistoryService history, RuntimeService runtime, TaskService tasks,
            FederationProperties federation, String webappPath, Clock clock) {
        this.history = history;
        this.runtime = runtime;
        this.tasks = tasks;
        this.federation = federation;
        this.links = new ProgressModel.Links(webappPath);
        this.clock = clock;
    }

    /** @return null when no upgrade has this id (or the caller may not read its history) */
    public UpgradeProgress progress(String upgradeId) {
        HistoricProcessInstance rootPi = history.createHistoricProcessInstanceQuery()
                .processDefinitionKey(ProgressModel.ROOT).processInstanceBusinessKey(upgradeId).singleResult();
        if (rootPi == null) {
            return null;
        }
        List<HistoricProcessInstance> all = history.createHistoricProcessInstanceQuery()
                .processInstanceBusinessKey(upgradeId).list();
        Set<String> idSet = new HashSet<>();
        all.forEach(h -> idSet.add(h.getId()));
        // an ended instance never changes again: its variables are read once, then kept (most instances of a
        // long upgrade have ended, so a read fetches the variables of the running few). Only instances this
        // caller's query returned are taken from it, so the engine's authorizations still decide what is shown
        Map<String, ProgressModel.Instance> endedBefore = ended.computeIfAbsent(upgradeId,
                k -> new java.util.concurrent.ConcurrentHashMap<>());
        String[] unread = all.stream().filter(h -> !endedBefore.containsKey(h.getId()))
                .map(HistoricProcessInstance::getId).toArray(String[]::new);
        Map<String, Map<String, Object>> vars = new HashMap<>();
        if (unread.length > 0) {
            for (HistoricVariableInstance v : history.createHistoricVariableInstanceQuery().processInstanceIdIn(unread)
                    .variableNameIn(VARIABLES).disableBinaryFetching().list()) {
                // process-level values only: a task's or a subprocess's local copies would shadow them
                if (v.getTaskId() == null && v.getValue() != null && (v.getActivityInstanceId() == null
                        || v.getActivityInstanceId().equals(v.getProcessInstanceId()))) {
                    vars.computeIfAbsent(v.getProcessInstanceId(), k -> new HashMap<>()).put(v.getName(), v.getValue());
                }
            }
        }
        List<ProgressModel.Instance> instances = new ArrayList<>();
        ProgressModel.Instance root = null;
        for (HistoricProcessInstance h : all) {
            ProgressModel.Instance i = endedBefore.get(h.getId());
            if (i == null) {
                i = new ProgressModel.Instance(h.getId(), h.getProcessDefinitionKey(), h.getSuperProcessInstanceId(),
                        instant(h.getStartTime()), instant(h.getEndTime()), h.getEndActivityId(),
                        vars.getOrDefault(h.getId(), Map.of()));
                if (h.getEndTime() != null) {
                    endedBefore.put(h.getId(), i);
                }
            }
            instances.add(i);
            if (h.getId().equals(rootPi.getId())) {
                root = i;
            }
        }
        List<ProgressModel.Running> running = new ArrayList<>();
        List<ProgressModel.Task> open = new ArrayList<>();
        List<ProgressModel.Incident> incidents = new ArrayList<>();
        if (rootPi.getEndTime() == null) {
            // one upgrade runs at a time (UpgradeLock), so the engine's open activities since its start are its own;
            // filtered to its instances all the same
            history.createHistoricActivityInstanceQuery().unfinished()
                    .startedAfter(new Date(rootPi.getStartTime().getTime() - 1000)).list().stream()
                    .filter(a -> idSet.contains(a.getProcessInstanceId()))
                    .forEach(a -> running.add(new ProgressModel.Running(a.getProcessInstanceId(), a.getActivityId(),
                            a.getActivityName(), a.getActivityType(), instant(a.getStartTime()))));
            tasks.createTaskQuery().processInstanceBusinessKey(upgradeId).list().forEach(t -> open.add(
                    new ProgressModel.Task(t.getId(), t.getName(), t.getProcessInstanceId(), instant(t.getCreateTime()))));
            // the same reasoning: the open incidents of the engine, kept when they are this upgrade's; the failed
            // job's own incident only (the calling instances carry copies pointing to it)
            runtime.createIncidentQuery().list().stream()
                    .filter(i -> idSet.contains(i.getProcessInstanceId()))
                    .filter(i -> i.getRootCauseIncidentId() == null || i.getRootCauseIncidentId().equals(i.getId()))
                    .forEach(i -> incidents.add(new ProgressModel.Incident(i.getId(), i.getProcessInstanceId(),
                            i.getActivityId(), i.getIncidentMessage(), instant(i.getIncidentTimestamp()))));
        }
        Object hash = root.vars().get("planHash");
        List<ProgressModel.PlanStep> plan = null;
        if (hash != null) {
            plan = plans.get(hash.toString());
            if (plan == null) {
                plan = readPlan(rootPi.getId());
                if (plan != null) {
                    plans.put(hash.toString(), plan);
                }
            }
        }
        return ProgressModel.build(new ProgressModel.Facts(upgradeId, root, instances, running, open, incidents, plan,
                zones(root, instances)), links, clock.instant());
    }

    /** One query: whether the upgrade exists (and the caller may read it); the page itself needs no more. */
    public boolean exists(String upgradeId) {
        return history.createHistoricProcessInstanceQuery().processDefinitionKey(ProgressModel.ROOT)
                .processInstanceBusinessKey(upgradeId).count() == 1;
    }

    /** The zones of the upgrade in the order it lists them, named as its instances or the configuration name them. */
    private List<ProgressModel.ZoneRef> zones(ProgressModel.Instance root, List<ProgressModel.Instance> instances) {
        Map<Integer, String> names = new HashMap<>();
        instances.forEach(i -> {
            if (i.zoneId() != null && i.vars().get("zoneName") != null) {
                names.putIfAbsent(i.zoneId(), i.vars().get("zoneName").toString());
            }
        });
        Integer master = root.vars().get("masterZoneId") instanceof Number n ? n.intValue() : null;
        List<ProgressModel.ZoneRef> zones = new ArrayList<>();
        for (Integer id : new io.onefed.upgrade.process.ZoneIdList().of(String.valueOf(root.vars().getOrDefault("allZoneIds", "")))) {
            zones.add(new ProgressModel.ZoneRef(id, names.computeIfAbsent(id, this::configuredName), id.equals(master)));
        }
        return zones;
    }

    private String configuredName(int id) {
        try {
            ZoneProperties z = federation.byId(id);
            return z.name() == null ? "zone " + id : z.name();
        } catch (IllegalArgumentException e) {
            return "zone " + id; // no longer configured: the history still knows the id
        }
    }

    /** The plan's phases (zone, step, title), read field by field: the commands are not kept. */
    private List<ProgressModel.PlanStep> readPlan(String rootId) {
        HistoricVariableInstance v = history.createHistoricVariableInstanceQuery().processInstanceId(rootId)
                .variableName("plan").list().stream().filter(h -> h.getTaskId() == null).findFirst().orElse(null);
        if (v == null || !(v.getTypedValue() instanceof FileValue file) || file.getValue() == null) {
            return null;
        }
        try (InputStream in = file.getValue(); com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(in)) {
            List<ProgressModel.PlanStep> steps = new ArrayList<>();
            // {"...": ..., "phases": [{"order":1,"zone":"..","step":"..","title":"..","actions":[...]}, ...], ...}
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String field = p.getCurrentName();
                p.nextToken();
                if (!"phases".equals(field)) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    String zone = null;
                    String step = null;
                    String title = null;
                    while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                        String name = p.getCurrentName();
                        p.nextToken();
                        switch (name) {
                            case "zone" -> zone = p.getValueAsString();
                            case "step" -> step = p.getValueAsString();
                            case "title" -> title = p.getValueAsString();
                            default -> p.skipChildren();
                        }
                    }
                    steps.add(new ProgressModel.PlanStep(zone, step, title));
                }
            }
            return List.copyOf(steps);
        } catch (IOException e) {
            throw new IllegalStateException("the plan of the history is not readable JSON", e);
        }
    }

    private static Instant instant(Date d) {
        return d == null ? null : d.toInstant();
    }
}
