package io.onefed.upgrade.progress;

import io.onefed.upgrade.progress.UpgradeProgress.Approval;
import io.onefed.upgrade.progress.UpgradeProgress.IncidentLink;
import io.onefed.upgrade.progress.UpgradeProgress.ZoneState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns what the engine knows about one upgrade ({@link Facts}, read by {@link ProgressService} in a fixed number
 * of queries) into {@link UpgradeProgress}. Pure: no engine, so every rule is unit-tested on hand-made facts.
 *
 * <p>A zone's steps are the approved plan's phases of that zone, in order ({@code plan/PlanService} renders them
 * in the order the processes run them). A zone runs its steps one after the other, so a step is done when it
 * ended well or when a later step of the same zone has started; the steps that are not remote steps (copies,
 * the API check, the master's checksum) have no instance of their own and are counted that way.
 */
final class ProgressModel {

    static final String ROOT = "federation-upgrade";
    static final String ZONE_UPGRADE = "zone-upgrade";
    static final String ZONE_STOP = "zone-stop";
    static final String REMOTE_STEP = "remote-step";
    /** End events that mean "went well" (remote-step) or "gave up" (the zone processes). */
    static final String STEP_DONE = "StepDone";
    static final String ZONE_STOP_ABORTED = "ZoneStopAborted";

    /**
     * The BPMN activities that are a plan step but not a remote step (element ids stay stable across model
     * changes: the plan and the tests name them too).
     */
    static final Map<String, String> ACTIVITY_STEPS = Map.of(
            "CopyFederatedBackup", "copy-federated-backup",
            "CheckZoneApi", "check-api", "WaitForApi", "check-api", "DecideApiDown", "check-api",
            "CopyLeaderDump", "copy-leader-dump", "CopyLeaderConfig", "copy-leader-config",
            "ChecksumBackup", "checksum-backup");
    /** The root's activity that works for the master zone, not for the federation as a whole. */
    static final String MASTER_ACTIVITY_OF_ROOT = "ChecksumBackup";
    /** The master's last plan step is done when the root holds this variable (ChecksumBackupDelegate sets it). */
    static final String CHECKSUM_DONE_VARIABLE = "federatedBackupSha256";
    /** The procedure the approved plan follows ({@code process/PlanVariables}); zone by zone has no checksum. */
    static final String PROCEDURE_VARIABLE = "procedure";
    static final String ZONE_BY_ZONE = "ZONE_BY_ZONE";
    /** Activity types that say what an instance is doing; the rest (gateways, call activities...) is plumbing. */
    static final java.util.Set<String> WORK = java.util.Set.of("serviceTask", "userTask", "intermediateTimer",
            "scriptTask", "sendTask", "receiveTask", "intermediateMessageCatch");

    /** One process instance of the upgrade (history), with its process-level variables. */
    record Instance(String id, String definitionKey, String superId, Instant start, Instant end, String endActivityId,
            Map<String, Object> vars) {
        Integer zoneId() {
            return vars.get("zoneId") instanceof Number n ? n.intValue() : null;
        }

        String step() {
            Object s = vars.get("step");
            return s == null ? null : s.toString();
        }
    }

    /** An activity that has not ended. */
    record Running(String processInstanceId, String activityId, String name, String type, Instant start) {
    }

    record Task(String id, String name, String processInstanceId, Instant created) {
    }

    record Incident(String id, String processInstanceId, String activityId, String message, Instant created) {
    }

    /** A phase of the approved plan: the zone's name as the plan writes it, the step id and its title. */
    record PlanStep(String zone, String step, String title) {
    }

    /** A zone of the upgrade: from the root's {@code allZoneIds}, named by configuration or its instances. */
    record ZoneRef(int id, String name, boolean master) {
    }

    /** {@code plan} is null while the plan is not rendered. */
    record Facts(String upgradeId, Instance root, List<Instance> instances, List<Running> running, List<Task> tasks,
            List<Incident> incidents, List<PlanStep> plan, List<ZoneRef> zones) {
    }

    /** Where the webapps live ({@code camunda.bpm.webapp.application-path}). */
    record Links(String webappPath) {
        String task(String id) {
            return webappPath + "/app/tasklist/default/#/?task=" + id;
        }

        String instance(String id) {
            return webappPath + "/app/cockpit/default/#/process-instance/" + id + "/runtime";
        }
    }

    private ProgressModel() {
    }

    static UpgradeProgress build(Facts f, Links links, Instant now) {
        Instance root = f.root();
        Map<String, Instance> byId = new HashMap<>();
        f.instances().forEach(i -> byId.put(i.id(), i));
        byId.put(root.id(), root);
        Integer masterId = f.zones().stream().filter(ZoneRef::master).map(ZoneRef::id).findFirst().orElse(null);

        // which zone each instance works for: its zoneId (zone-stop, zone-upgrade and remote-step carry one)
        Map<Integer, List<Instance>> byZone = new HashMap<>();
        for (Instance i : byId.values()) {
            if (i.zoneId() != null && !i.id().equals(root.id())) {
                byZone.computeIfAbsent(i.zoneId(), k -> new ArrayList<>()).add(i);
            }
        }
        Map<Integer, List<Running>> runningByZone = new HashMap<>();
        List<Running> rootRunning = new ArrayList<>();
        for (Running r : f.running()) {
            Instance owner = byId.get(r.processInstanceId());
            if (owner == null || (!WORK.contains(r.type()) && !ACTIVITY_STEPS.containsKey(r.activityId()))) {
                continue;
            }
            Integer zone = owner.id().equals(root.id())
                    ? (MASTER_ACTIVITY_OF_ROOT.equals(r.activityId()) ? masterId : null) : owner.zoneId();
            if (zone == null) {
                rootRunning.add(r);
            } else {
                runningByZone.computeIfAbsent(zone, k -> new ArrayList<>()).add(r);
            }
        }
        Map<Integer, String> zoneNames = new HashMap<>();
        f.zones().forEach(z -> zoneNames.put(z.id(), z.name()));

        List<Approval> approvals = new ArrayList<>();
        Map<Integer, List<Approval>> approvalsByZone = new HashMap<>();
        for (Task t : f.tasks()) {
            Integer zone = zoneOf(byId.get(t.processInstanceId()), root);
            Approval a = new Approval(t.id(), t.name(), zone == null ? null : zoneNames.getOrDefault(zone, "zone " + zone),
                    t.created(), links.task(t.id()));
            approvals.add(a);
            if (zone != null) {
                approvalsByZone.computeIfAbsent(zone, k -> new ArrayList<>()).add(a);
            }
        }
        List<IncidentLink> incidents = new ArrayList<>();
        Map<Integer, List<IncidentLink>> incidentsByZone = new HashMap<>();
        for (Incident i : f.incidents()) {
            Instance owner = byId.get(i.processInstanceId());
            if (owner == null) {
                continue;
            }
            Integer zone = owner.id().equals(root.id()) && MASTER_ACTIVITY_OF_ROOT.equals(i.activityId()) ? masterId
                    : zoneOf(owner, root);
            IncidentLink l = new IncidentLink(i.id(), zone == null ? null : zoneNames.getOrDefault(zone, "zone " + zone),
                    i.activityId(), i.message(), i.processInstanceId(), i.created(), links.instance(i.processInstanceId()));
            incidents.add(l);
            if (zone != null) {
                incidentsByZone.computeIfAbsent(zone, k -> new ArrayList<>()).add(l);
            }
        }

        List<UpgradeProgress.Zone> rows = new ArrayList<>();
        for (ZoneRef z : f.zones()) {
            rows.add(zone(z, f, root, byId, byZone.getOrDefault(z.id(), List.of()), runningByZone.getOrDefault(z.id(), List.of()),
                    approvalsByZone.getOrDefault(z.id(), List.of()), incidentsByZone.getOrDefault(z.id(), List.of()), now));
        }
        String outcome = str(root.vars().get("upgradeOutcome"));
        String state = state(root.end() != null, outcome, !incidents.isEmpty(), !approvals.isEmpty());
        String current = rootRunning.stream().sorted(Comparator.comparing(Running::start))
                .map(ProgressModel::describe).distinct().reduce((a, b) -> a + "; " + b).orElse(null);
        Instant until = root.end() == null ? now : root.end();
        return new UpgradeProgress(f.upgradeId(), state, outcome, str(root.vars().get("fromVersion")),
                str(root.vars().get("targetVersion")), current, root.start(), root.end(), seconds(root.start(), until),
                f.plan() != null, rows, approvals, incidents, now);
    }

    /** The same words as {@code GET /api/upgrades/{id}} (process/UpgradeRuns), so both read alike. */
    static String state(boolean ended, String outcome, boolean incidents, boolean approvals) {
        if (ended) {
            String o = String.valueOf(outcome);
            return o.startsWith("COMPLETED") ? "completed" : "REJECTED".equals(o) ? "rejected" : "aborted";
        }
        return incidents ? "incident" : approvals ? "waiting for approval" : "running";
    }

    private static UpgradeProgress.Zone zone(ZoneRef z, Facts f, Instance root, Map<String, Instance> byId,
            List<Instance> mine,
            List<Running> running, List<Approval> approvals, List<IncidentLink> incidents, Instant now) {
        List<PlanStep> steps = f.plan() == null ? List.of()
                : f.plan().stream().filter(p -> p.zone().equals(z.name())).toList();
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < steps.size(); i++) {
            index.putIfAbsent(steps.get(i).step(), i);
        }
        // only the zone's latest stop and upgrade count (an operator's retry starts the zone over), with the
        // remote steps they called and the root's own (the master's federated backup)
        Instance stop = latest(mine, ZONE_STOP);
        Instance upgrade = latest(mine, ZONE_UPGRADE);
        List<Instance> current = mine.stream().filter(i -> !i.definitionKey().equals(REMOTE_STEP)
                || i.superId() == null || i.superId().equals(root.id()) || (stop != null && i.superId().equals(stop.id()))
                || (upgrade != null && i.superId().equals(upgrade.id()))).toList();

        int furthest = -1;
        boolean furthestDone = false;
        for (Instance i : current) {
            Integer at = i.step() == null ? null : index.get(i.step());
            if (i.definitionKey().equals(REMOTE_STEP) && at != null && at >= furthest) {
                boolean ok = i.end() != null && STEP_DONE.equals(i.endActivityId());
                furthestDone = at > furthest ? ok : furthestDone || ok;
                furthest = at;
            }
        }
        // what runs now: the zone's open remote steps (between two polls of a long command no activity of theirs is
        // open, the instance is), then the activities of its other instances
        List<String> doing = new ArrayList<>();
        for (Instance i : current.stream().filter(i -> i.end() == null && i.definitionKey().equals(REMOTE_STEP))
                .sorted(Comparator.comparing(Instance::start)).toList()) {
            String title = title(i.step(), steps);
            String waiting = running.stream().filter(r -> r.processInstanceId().equals(i.id()) && "userTask".equals(r.type()))
                    .map(ProgressModel::describe).findFirst().orElse(null);
            doing.add(waiting == null ? title : title + " (failed: " + waiting + ")");
        }
        for (Running r : running.stream().sorted(Comparator.comparing(Running::start)).toList()) {
            Instance owner = byId.getOrDefault(r.processInstanceId(), root);
            if (owner.definitionKey().equals(REMOTE_STEP)) {
                continue;
            }
            String step = ACTIVITY_STEPS.get(r.activityId());
            Integer at = step == null ? null : index.get(step);
            if (at != null && at > furthest) {
                furthest = at;
                furthestDone = false;
            }
            // a copy or check names its plan step; a wait or decision inside it says so; plumbing names itself
            doing.add(step == null ? describe(r) : "serviceTask".equals(r.type()) ? title(step, steps)
                    : title(step, steps) + " (" + describe(r) + ")");
        }
        boolean hasRunning = !running.isEmpty() || current.stream().anyMatch(i -> i.end() == null);
        String outcome = upgrade == null ? null : str(upgrade.vars().get("zoneOutcome"));
        boolean upgraded = "UPGRADED".equals(outcome) && upgrade.end() != null;
        // zone by zone (rolling-upgrade) the master takes no federated backup: its own upgrade is all
        boolean done = upgraded && !hasRunning && (!z.master() || root.vars().get(CHECKSUM_DONE_VARIABLE) != null
                || f.plan() == null || ZONE_BY_ZONE.equals(root.vars().get(PROCEDURE_VARIABLE)));
        ZoneState state;
        if (!incidents.isEmpty() || !approvals.isEmpty()) {
            state = ZoneState.FAILED;
        } else if (done) {
            state = ZoneState.DONE;
        } else if ("ABORTED".equals(outcome) || (stop != null && ZONE_STOP_ABORTED.equals(stop.endActivityId()))) {
            state = ZoneState.ABORTED;
        } else if (hasRunning) {
            state = ZoneState.RUNNING;
        } else if (root.end() != null) {
            state = ZoneState.ABORTED; // the upgrade ended before this zone was upgraded
        } else {
            state = ZoneState.WAITING;
        }
        int total = steps.size();
        // none before the zone's first step has started (its instance waits for the job that starts it)
        int stepsDone = state == ZoneState.DONE ? total : Math.max(0, Math.min(total, furthest + (furthestDone ? 1 : 0)));
        Instant started = mine.stream().map(Instance::start).filter(Objects::nonNull).min(Comparator.naturalOrder())
                .orElse(null);
        Instant ended = hasRunning || started == null ? null
                : mine.stream().map(Instance::end).filter(Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
        String currentStep = doing.isEmpty() ? null : String.join("; ", new java.util.LinkedHashSet<>(doing));
        if (currentStep == null && state == ZoneState.RUNNING && stepsDone < total) {
            // between two steps: the next one's job is queued, no activity of it has started yet
            currentStep = steps.get(stepsDone).title() + " (starting)";
        }
        if (currentStep == null && state == ZoneState.WAITING && started != null) {
            currentStep = "waiting for its turn";
        }
        return new UpgradeProgress.Zone(z.id(), z.name(), z.master(), state, currentStep, stepsDone, total,
                started, ended, started == null ? 0 : seconds(started, ended == null ? now : ended),
                List.copyOf(approvals), List.copyOf(incidents));
    }

    /** The step's title as the approved plan words it (the step list's own words when there is no plan yet). */
    private static String title(String step, List<PlanStep> steps) {
        if (step == null) {
            return "remote step";
        }
        return steps.stream().filter(p -> p.step().equals(step)).map(PlanStep::title).findFirst().orElse(titleOf(step));
    }

    private static String describe(Running r) {
        return r.name() == null ? r.activityId() : r.name();
    }

    private static String titleOf(String step) {
        try {
            return io.onefed.upgrade.steps.ZoneStep.byId(step).title();
        } catch (IllegalArgumentException e) {
            return step;
        }
    }

    private static Integer zoneOf(Instance owner, Instance root) {
        return owner == null || owner.id().equals(root.id()) ? null : owner.zoneId();
    }

    private static Instance latest(List<Instance> mine, String key) {
        return mine.stream().filter(i -> i.definitionKey().equals(key)).max(Comparator.comparing(Instance::start))
                .orElse(null);
    }

    private static long seconds(Instant from, Instant to) {
        return from == null || to == null ? 0 : Math.max(0, Duration.between(from, to).getSeconds());
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
