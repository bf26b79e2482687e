package io.onefed.upgrade.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.EntityTypes;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.history.HistoricDetail;
import org.camunda.bpm.engine.history.HistoricIncident;
import org.camunda.bpm.engine.history.HistoricJobLog;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricTaskInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.history.HistoricVariableUpdate;
import org.camunda.bpm.engine.history.UserOperationLogEntry;
import org.camunda.bpm.engine.variable.value.FileValue;
import org.camunda.bpm.engine.variable.value.TypedValue;

/**
 * Builds the {@link Report} of an upgrade from the history only (runtime state is never needed), so it reads the
 * same for a running, finished or failed upgrade and needs no more than READ_HISTORY(_VARIABLE): auditors can
 * read it. The upgrade id is the business key of every instance of the upgrade, so a few queries find them all.
 */
public class ReportService {

    static final String ROOT = "federation-upgrade";
    /** Activity types worth a line in the timeline; gateways and plumbing are left out. */
    static final Set<String> SHOWN = Set.of("serviceTask", "userTask", "callActivity", "noneEndEvent",
            "errorEndEvent", "intermediateTimer", "boundaryTimer", "boundaryError");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The most refused requests one report lists (a flood is already summarised by the log itself). */
    static final int MAX_REFUSALS = 1000;

    private final HistoryService history;
    private final org.camunda.bpm.engine.TaskService tasks;
    private final RefusalLog refusals;

    public ReportService(HistoryService history) {
        this(history, null, null);
    }

    /**
     * @param tasks reads the comments recording refused completions (null: not listed)
     * @param refusals the refused requests to list (null: none, as in tests without the web layer)
     */
    public ReportService(HistoryService history, org.camunda.bpm.engine.TaskService tasks, RefusalLog refusals) {
        this.history = history;
        this.tasks = tasks;
        this.refusals = refusals;
    }

    /**
     * Characters of each command's stdout and of its stderr that the report shows (the last ones): a hundred zones
     * of commands with megabytes of output each would not fit one page, nor the service's memory.
     */
    public static final int OUTPUT_CHARS = 16 * 1024;

    /**
     * The report of an upgrade whose commands are read one step at a time: {@link #head} is everything but the
     * commands (small: one row per activity, task and incident), {@link #forEachCommand} hands over the commands
     * of one step instance after the other, so memory holds one step's records, never the whole history.
     */
    public final class Streamed {
        private final Report head;
        private final CommandIndex index;
        private final String[] ids;
        private final Map<String, Map<String, Object>> vars;

        private Streamed(Report head, CommandIndex index, String[] ids, Map<String, Map<String, Object>> vars) {
            this.head = head;
            this.index = index;
            this.ids = ids;
            this.vars = vars;
        }

        /** The report without its commands. */
        public Report head() {
            return head;
        }

        public int commandCount() {
            return index.winners.size();
        }

        /** Every command (the last record per idempotency key), outputs cut to their last {@code outputChars}. */
        public void forEachCommand(int outputChars, java.util.function.Consumer<Report.Command> out) {
            for (String detailId : index.detailsInOrder()) {
                readRecords(detailId, (i, r) -> {
                    Entry e = index.winners.get(r.path("key").asText());
                    if (e != null && e.detailId.equals(detailId) && e.index == i) {
                        out.accept(command(r, e, outputChars));
                    }
                });
            }
        }

        private Report.Command command(JsonNode r, Entry e, int outputChars) {
            Instant started = time(r, "started");
            Instant finished = time(r, "finished");
            String stdout = text(r, "stdout");
            String stderr = text(r, "stderr");
            boolean cut = length(stdout) > outputChars || length(stderr) > outputChars;
            return new Report.Command(zone(vars, e.processInstanceId), e.step, text(r, "server"), text(r, "host"),
                    text(r, "command"), text(r, "key"), text(r, "state"),
                    r.hasNonNull("exitStatus") ? r.get("exitStatus").asInt() : null, started, finished,
                    started != null && finished != null ? finished.toEpochMilli() - started.toEpochMilli() : null,
                    text(r, "outputSha256"), r.path("truncated").asBoolean(), tail(stdout, outputChars),
                    tail(stderr, outputChars), cut);
        }
    }

    /** @return null when no upgrade has this id; otherwise the whole report in memory (tests, small upgrades) */
    public Report report(String upgradeId) {
        Streamed s = stream(upgradeId);
        if (s == null) {
            return null;
        }
        List<Report.Command> commands = new ArrayList<>();
        s.forEachCommand(Integer.MAX_VALUE, commands::add);
        return s.head().withCommands(commands);
    }

    /**
     * The whole kept output of one command of the upgrade (the report shows its last {@link #OUTPUT_CHARS}).
     * @return null when the upgrade or the key is unknown
     */
    public Report.Command command(String upgradeId, String key) {
        HistoricProcessInstance root = root(upgradeId);
        if (root == null) {
            return null;
        }
        String[] ids = instanceIds(upgradeId);
        Map<String, Map<String, Object>> vars = vars(ids);
        CommandIndex index = index(ids, vars);
        Entry e = index.winners.get(key);
        if (e == null) {
            return null;
        }
        Report.Command[] found = new Report.Command[1];
        Streamed s = new Streamed(null, index, ids, vars);
        readRecords(e.detailId, (i, r) -> {
            if (i == e.index) {
                found[0] = s.command(r, e, Integer.MAX_VALUE);
            }
        });
        return found[0];
    }

    private HistoricProcessInstance root(String upgradeId) {
        return history.createHistoricProcessInstanceQuery().processDefinitionKey(ROOT)
                .processInstanceBusinessKey(upgradeId).singleResult();
    }

    private String[] instanceIds(String upgradeId) {
        return history.createHistoricProcessInstanceQuery().processInstanceBusinessKey(upgradeId).list().stream()
                .map(HistoricProcessInstance::getId).toArray(String[]::new);
    }

    private Map<String, Map<String, Object>> vars(String[] ids) {
        Map<String, Map<String, Object>> vars = new HashMap<>();
        for (HistoricVariableInstance v : history.createHistoricVariableInstanceQuery().processInstanceIdIn(ids)
                .variableNameIn("zoneName", "step", "fromVersion", "targetVersion", "startedBy", "upgradeOutcome",
                        "upgradeOutcomeDetail", "approvedPlanHash", "preflightSummary", "postChecksSummary",
                        "federatedBackupPath", "federatedBackupSha256", "leaderDumpSha256")
                .disableBinaryFetching().list()) {
            if (v.getTaskId() == null && v.getValue() != null
                    && (v.getActivityInstanceId() == null || v.getActivityInstanceId().equals(v.getProcessInstanceId()))) {
                vars.computeIfAbsent(v.getProcessInstanceId(), k -> new HashMap<>()).put(v.getName(), v.getValue());
            }
        }
        return vars;
    }

    /** @return null when no upgrade has this id */
    public Streamed stream(String upgradeId) {
        HistoricProcessInstance root = history.createHistoricProcessInstanceQuery().processDefinitionKey(ROOT)
                .processInstanceBusinessKey(upgradeId).singleResult();
        if (root == null) {
            return null;
        }
        List<HistoricProcessInstance> instances = history.createHistoricProcessInstanceQuery()
                .processInstanceBusinessKey(upgradeId).list();
        Map<String, HistoricProcessInstance> byId = new HashMap<>();
        instances.forEach(i -> byId.put(i.getId(), i));
        String[] ids = byId.keySet().toArray(String[]::new);

        Map<String, Map<String, Object>> vars = vars(ids);
        Map<String, Object> rootVars = vars.getOrDefault(root.getId(), Map.of());

        List<Report.Approval> approvals = approvals(upgradeId, vars);
        Map<String, Integer> failures = jobFailures(ids);
        List<Report.Step> timeline = new ArrayList<>();
        List<HistoricActivityInstance> activities = new ArrayList<>();
        for (String id : ids) {
            if ("remote-step".equals(byId.get(id).getProcessDefinitionKey())) {
                continue; // its poll loop is noise; its decisions are in the approvals, its commands below
            }
            activities.addAll(history.createHistoricActivityInstanceQuery().processInstanceId(id)
                    .orderByHistoricActivityInstanceStartTime().asc().orderPartiallyByOccurrence().asc().list());
        }
        activities.sort(Comparator.comparing(HistoricActivityInstance::getStartTime));
        for (HistoricActivityInstance a : activities) {
            String process = a.getProcessDefinitionKey();
            if (!SHOWN.contains(a.getActivityType())) {
                continue;
            }
            timeline.add(new Report.Step(zone(vars, a.getProcessInstanceId()), process, a.getActivityId(),
                    a.getActivityName(), a.getActivityType(), instant(a.getStartTime()), instant(a.getEndTime()),
                    a.getDurationInMillis(), a.isCanceled(),
                    failures.getOrDefault(a.getProcessInstanceId() + "/" + a.getActivityId(), 0)));
        }
        List<Report.Incident> incidents = new ArrayList<>();
        List<HistoricIncident> all = new ArrayList<>();
        for (String id : ids) {
            all.addAll(history.createHistoricIncidentQuery().processInstanceId(id).list());
        }
        all.sort(Comparator.comparing(HistoricIncident::getCreateTime));
        for (HistoricIncident i : all) {
            String state = i.isOpen() ? "open" : i.isResolved() ? "resolved" : "deleted";
            incidents.add(new Report.Incident(zone(vars, i.getProcessInstanceId()), i.getActivityId(),
                    i.getIncidentMessage(), instant(i.getCreateTime()), instant(i.getEndTime()), state,
                    retriedBy(i.getConfiguration())));
        }
        CommandIndex commands = index(ids, vars);
        List<Report.Backup> backups = new ArrayList<>();
        for (HistoricProcessInstance pi : instances) {
            Map<String, Object> v = vars.getOrDefault(pi.getId(), Map.of());
            if ("remote-step".equals(pi.getProcessDefinitionKey())) {
                continue;
            }
            boolean isRoot = pi.getId().equals(root.getId());
            if (v.get("federatedBackupPath") != null && (isRoot || "zone-upgrade".equals(pi.getProcessDefinitionKey()))) {
                backups.add(new Report.Backup(isRoot ? "master" : zone(vars, pi.getId()),
                        isRoot ? "federated backup (onedb backup --federated)" : "federated backup, copy on the slave",
                        String.valueOf(v.get("federatedBackupPath")), str(isRoot ? v.get("federatedBackupSha256")
                                : rootVars.get("federatedBackupSha256"))));
            }
            if (v.get("leaderDumpSha256") != null) {
                backups.add(new Report.Backup(zone(vars, pi.getId()), "HA leader dump", "(per zone upgrade directory)",
                        str(v.get("leaderDumpSha256"))));
            }
            if (v.get("leaderConfigSha256") != null) {
                backups.add(new Report.Backup(zone(vars, pi.getId()), "HA leader configuration (/etc/one, remotes/etc)",
                        "(per zone upgrade directory)", str(v.get("leaderConfigSha256"))));
            }
        }
        commands.winnersInOrder().stream().filter(e -> e.backupCommand != null)
                .forEach(e -> backups.add(new Report.Backup(zone(vars, e.processInstanceId), "zone database (onedb backup)",
                        lastWord(e.backupCommand), null)));

        String state = root.getEndTime() != null ? "ended" : "running";
        Report head = new Report(upgradeId, root.getId(), state, root.getStartUserId(), instant(root.getStartTime()),
                instant(root.getEndTime()), str(rootVars.get("fromVersion")), str(rootVars.get("targetVersion")),
                versionsAfter(root.getId()), str(rootVars.get("upgradeOutcome")), str(rootVars.get("upgradeOutcomeDetail")),
                str(rootVars.get("approvedPlanHash")), str(rootVars.get("preflightSummary")),
                str(rootVars.get("postChecksSummary")), approvals, timeline, incidents, List.of(), backups, Instant.now(),
                skippedHosts(upgradeId), refusals == null ? List.of()
                        : refusals.between(root.getStartTime().toInstant(), instant(root.getEndTime()), MAX_REFUSALS));
        return new Streamed(head, commands, ids, vars);
    }

    private List<Report.SkippedHost> skippedHosts(String upgradeId) {
        List<Report.SkippedHost> out = new ArrayList<>();
        io.onefed.upgrade.process.SkippedHosts.fromHistory(history, upgradeId)
                .forEach((zone, hosts) -> hosts.forEach(h -> out.add(new Report.SkippedHost(zone, h))));
        return out;
    }

    private List<Report.Approval> approvals(String upgradeId, Map<String, Map<String, Object>> vars) {
        List<HistoricTaskInstance> tasks = history.createHistoricTaskInstanceQuery().processInstanceBusinessKey(upgradeId)
                .orderByHistoricActivityInstanceStartTime().asc().list();
        if (tasks.isEmpty()) {
            return List.of();
        }
        Map<String, Map<String, Object>> locals = new HashMap<>();
        for (HistoricVariableInstance v : history.createHistoricVariableInstanceQuery()
                .taskIdIn(tasks.stream().map(HistoricTaskInstance::getId).toArray(String[]::new))
                .variableNameIn("decidedBy", "decision", "comment", "decidedAt", "planHash").list()) {
            locals.computeIfAbsent(v.getTaskId(), k -> new HashMap<>()).put(v.getName(), v.getValue());
        }
        List<Report.Approval> out = new ArrayList<>();
        for (HistoricTaskInstance t : tasks) {
            Map<String, Object> l = locals.getOrDefault(t.getId(), Map.of());
            boolean decided = l.get("decidedAt") != null;
            out.add(new Report.Approval(t.getTaskDefinitionKey(), t.getName(), zone(vars, t.getProcessInstanceId()),
                    instant(t.getStartTime()), decided ? Instant.parse(str(l.get("decidedAt"))) : null,
                    decided ? str(l.get("decidedBy")) : null, decided ? str(l.get("decision")) : null,
                    decided ? str(l.get("comment")) : null, str(l.get("planHash"))));
            // refused completions (four eyes, tampering) rolled back: the engine keeps them as task comments
            for (org.camunda.bpm.engine.task.Comment c : refusals(t.getId())) {
                out.add(new Report.Approval(t.getTaskDefinitionKey(), t.getName(), zone(vars, t.getProcessInstanceId()),
                        instant(t.getStartTime()), c.getTime() == null ? null : c.getTime().toInstant(), c.getUserId(),
                        "refused", c.getFullMessage().substring(io.onefed.upgrade.process.ApprovalListener.REFUSED.length()),
                        null));
            }
        }
        return out;
    }

    /** The comments recording refused completions of one task (kept after the task ended). */
    private List<org.camunda.bpm.engine.task.Comment> refusals(String taskId) {
        if (tasks == null) {
            return List.of();
        }
        return tasks.getTaskComments(taskId).stream().filter(c -> c.getFullMessage() != null
                && c.getFullMessage().startsWith(io.onefed.upgrade.process.ApprovalListener.REFUSED)).toList();
    }

    /** Job failures per process instance and activity: retries the engine made before the step ran (or gave up). */
    private Map<String, Integer> jobFailures(String[] ids) {
        Map<String, Integer> count = new HashMap<>();
        for (String id : ids) {
            for (HistoricJobLog log : history.createHistoricJobLogQuery().processInstanceId(id).failureLog().list()) {
                count.merge(log.getProcessInstanceId() + "/" + log.getActivityId(), 1, Integer::sum);
            }
        }
        return count;
    }

    /** Who set the retries of the incident's job (Cockpit's retry button), and when. */
    private List<String> retriedBy(String jobId) {
        if (jobId == null) {
            return List.of();
        }
        return history.createUserOperationLogQuery().jobId(jobId).entityType(EntityTypes.JOB)
                .operationType(UserOperationLogEntry.OPERATION_TYPE_SET_JOB_RETRIES).list().stream()
                .filter(e -> "retries".equals(e.getProperty()))
                .map(e -> e.getUserId() + " at " + instant(e.getTimestamp())).distinct().toList();
    }

    /** Where the last record of one idempotency key is: which stepRecords update, at which position. */
    private record Entry(String detailId, int index, String processInstanceId, String step, Instant started,
            String backupCommand) {
    }

    /** The winning record per key, found without keeping any output: a few hundred bytes per command. */
    private static final class CommandIndex {
        final Map<String, Entry> winners = new LinkedHashMap<>();

        List<Entry> winnersInOrder() {
            List<Entry> list = new ArrayList<>(winners.values());
            list.sort(Comparator.comparing(Entry::started, Comparator.nullsLast(Comparator.naturalOrder())));
            return list;
        }

        /** The updates holding winners, each once, in the order their first command started. */
        List<String> detailsInOrder() {
            List<String> order = new ArrayList<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Entry e : winnersInOrder()) {
                if (seen.add(e.detailId)) {
                    order.add(e.detailId);
                }
            }
            return order;
        }
    }

    /**
     * Every remote command, from each update of the remote-step instances' {@code stepRecords} (history level
     * full keeps every update, so a retried step shows both attempts); the last record per idempotency key wins.
     * The updates are listed without their content, then read one at a time.
     */
    private CommandIndex index(String[] ids, Map<String, Map<String, Object>> vars) {
        CommandIndex index = new CommandIndex();
        List<HistoricDetail> details = history.createHistoricDetailQuery().processInstanceIdIn(ids).variableUpdates()
                .variableNameLike("stepRecords").disableBinaryFetching().orderByTime().asc().list();
        for (HistoricDetail d : details) {
            if (!(d instanceof HistoricVariableUpdate u) || !"stepRecords".equals(u.getVariableName())) {
                continue;
            }
            String step = str(vars.getOrDefault(u.getProcessInstanceId(), Map.of()).get("step"));
            readRecords(d.getId(), (i, r) -> {
                boolean backup = "backup-db".equals(step) && r.hasNonNull("exitStatus") && r.get("exitStatus").asInt() == 0;
                index.winners.put(r.path("key").asText(), new Entry(d.getId(), i, u.getProcessInstanceId(), step,
                        time(r, "started"), backup ? text(r, "command") : null));
            });
        }
        return index;
    }

    /** Reads one stepRecords update record by record (the JSON is never a tree as a whole). */
    private void readRecords(String detailId, java.util.function.BiConsumer<Integer, JsonNode> each) {
        HistoricDetail d = history.createHistoricDetailQuery().detailId(detailId).singleResult();
        if (!(d instanceof HistoricVariableUpdate u) || !(u.getTypedValue() instanceof FileValue file)
                || file.getValue() == null) {
            return;
        }
        try (InputStream in = file.getValue(); com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(in)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                return;
            }
            int i = 0;
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                each.accept(i++, JSON.readTree(p));
            }
        } catch (IOException e) {
            throw new IllegalStateException("stepRecords of the history is not readable JSON", e);
        }
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    /** The last {@code max} characters: a failing command's reason is at its end. */
    private static String tail(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int from = s.length() - max;
        return s.substring(Character.isLowSurrogate(s.charAt(from)) ? from + 1 : from);
    }

    /** The version each zone answered in the post-checks (the last run of them). */
    private List<Report.ZoneVersion> versionsAfter(String rootId) {
        HistoricVariableInstance v = history.createHistoricVariableInstanceQuery().processInstanceId(rootId)
                .variableName("postChecksReport").singleResult();
        if (v == null || !(v.getTypedValue() instanceof FileValue file) || file.getValue() == null) {
            return List.of();
        }
        try (InputStream in = file.getValue()) {
            List<Report.ZoneVersion> out = new ArrayList<>();
            JSON.readTree(in).path("zones").forEach(z -> out.add(new Report.ZoneVersion(z.path("name").asText(),
                    z.path("reachable").asBoolean() ? z.path("version").asText() : "unreachable")));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("postChecksReport of the history is not readable JSON", e);
        }
    }

    private static String zone(Map<String, Map<String, Object>> vars, String processInstanceId) {
        Object z = vars.getOrDefault(processInstanceId, Map.of()).get("zoneName");
        return z == null ? "federation" : z.toString();
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static Instant time(JsonNode n, String field) {
        String t = text(n, field);
        return t == null ? null : Instant.parse(t);
    }

    private static Instant instant(Date d) {
        return d == null ? null : d.toInstant();
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static String lastWord(String command) {
        String[] words = command.trim().split(" ");
        return words[words.length - 1].replace("'", "");
    }
}
