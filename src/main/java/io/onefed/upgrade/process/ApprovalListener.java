package io.onefed.upgrade.process;

import io.onefed.upgrade.notify.Notifier;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.db.entitymanager.cache.CachedDbEntity;
import org.camunda.bpm.engine.impl.db.entitymanager.cache.DbEntityCache;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.CommentEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.VariableInstanceEntity;

/**
 * The approval and decision tasks' listener.
 * <p>On create: the gates after the start show the outcome so far ({@code progressSummary}), and a webhook
 * tells the operators a decision waits.
 * <p>On complete: the decision must be one the task offers and the comment must not be empty; with four eyes on,
 * the operator who started the upgrade cannot complete its approval gates; the start approval records the hash
 * of the plan it showed ({@code approvedPlanHash}). Who decided, what, why and on which plan are kept on the task
 * (task-local variables), so the history answers "who approved this" for each gate.
 */
public class ApprovalListener implements TaskListener {

    static final Map<String, Set<String>> DECISIONS = Map.ofEntries(
            Map.entry("ApproveStart", Set.of("approve", "reject")),
            Map.entry("ApproveReenable", Set.of("approve")),
            Map.entry("ConfirmApiBlocked", Set.of("approve")),
            Map.entry("ConfirmApiOpen", Set.of("approve")),
            Map.entry("ReviewPreflight", Set.of("retry", "abort")),
            Map.entry("ReviewPostChecks", Set.of("retry", "continue", "rollback")),
            Map.entry("DecideFailedSlaves", Set.of("retry", "continue", "abort", "rollback")),
            // skip: only in the upgrade-nodes step (see skipRefusal)
            // rollback: only in the steps of zone-upgrade (see rollbackRefusal)
            Map.entry("DecideFailedStep", Set.of("retry", "wait", "abort", "skip", "rollback")),
            Map.entry("DecideStillActive", Set.of("retry", "abort")),
            Map.entry("DecideStopFailed", Set.of("retry", "abort")),
            Map.entry("DecideApiDown", Set.of("wait", "abort")),
            // zone by zone: the master's new code requires another shared DB version than the release table said;
            // no "continue": its onedb upgrade would migrate the federated tables under slaves on the old code
            Map.entry("DecideSharedVersion", Set.of("rollback", "abort")),
            Map.entry("ApproveRollback", Set.of("approve", "reject")),
            Map.entry("ConfirmApiOpenAfterRollback", Set.of("approve")));

    /** The gates that approve a change to the federation: four eyes applies to these. */
    static final Set<String> GATES = Set.of("ApproveStart", "ApproveReenable", "ConfirmApiBlocked", "ConfirmApiOpen",
            "ApproveRollback", "ConfirmApiOpenAfterRollback");

    private final Clock clock;
    private final ApprovalSettings settings;
    private final Notifier notifier;

    public ApprovalListener(Clock clock) {
        this(clock, ApprovalSettings.defaults(), Notifier.NONE);
    }

    public ApprovalListener(Clock clock, ApprovalSettings settings, Notifier notifier) {
        this.clock = clock;
        this.settings = settings;
        this.notifier = notifier;
    }

    @Override
    public void notify(DelegateTask task) {
        if (TaskListener.EVENTNAME_CREATE.equals(task.getEventName())) {
            created(task);
        } else if (TaskListener.EVENTNAME_COMPLETE.equals(task.getEventName())) {
            completed(task);
        }
    }

    private void created(DelegateTask task) {
        if (GATES.contains(task.getTaskDefinitionKey()) && !"ApproveStart".equals(task.getTaskDefinitionKey())) {
            task.setVariable("progressSummary", Vars.text(Progress.summary(task)));
        }
        notifier.send("approval.waiting", describe(task));
    }

    /** What a webhook receiver needs to route the request to the right people; no variable values. */
    static Map<String, Object> describe(DelegateTask task) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("upgradeId", task.getExecution().getProcessBusinessKey());
        f.put("taskId", task.getId());
        f.put("taskDefinitionKey", task.getTaskDefinitionKey());
        f.put("task", task.getName());
        Object zone = task.getVariable("zoneName");
        f.put("zone", zone == null ? "federation" : zone.toString());
        f.put("processInstanceId", task.getProcessInstanceId());
        f.put("candidateGroups", task.getCandidates().stream().map(c -> c.getGroupId()).filter(g -> g != null).toList());
        f.put("tasklist", "/camunda/app/tasklist/default/#/?task=" + task.getId());
        return f;
    }

    /** Why a completion must be refused, for a field error (400) or the four-eyes rule (403); empty when fine. */
    public record Refusal(boolean forbidden, String message) {
    }

    /**
     * The one set of rules for completing an approval or decision task, used by this listener (the last guard,
     * inside the engine) and by the REST layer before the engine (so a bad form answers 400, not 500).
     */
    public static java.util.Optional<Refusal> check(String taskDefinitionKey, String taskName, Object decision,
            Object comment, String who, Object startedBy, String upgradeId, boolean fourEyes) {
        Set<String> allowed = DECISIONS.getOrDefault(taskDefinitionKey, Set.of("approve", "reject"));
        if (!(decision instanceof String d) || !allowed.contains(d)) {
            return java.util.Optional.of(new Refusal(false, "decision: '" + decision + "' is not one of "
                    + new java.util.TreeSet<>(allowed) + " for task '" + taskName
                    + "'; set the form field 'decision' to one of them"));
        }
        if (!(comment instanceof String c) || c.isBlank()) {
            return java.util.Optional.of(new Refusal(false, "comment: a comment is required to complete '" + taskName
                    + "'; say why you decide '" + d + "'"));
        }
        if (fourEyes && GATES.contains(taskDefinitionKey) && who != null && who.equals(startedBy)) {
            return java.util.Optional.of(new Refusal(true, "four eyes: " + who + " started upgrade " + upgradeId
                    + " and so cannot complete '" + taskName + "'; another operator must decide"
                    + " (onefed.approvals.four-eyes=false turns this rule off)"));
        }
        return java.util.Optional.empty();
    }

    /**
     * "skip" leaves failed hypervisor hosts out of the node upgrade; no other step has hosts it could leave out
     * (a front-end step skipped would leave the zone half-upgraded).
     */
    public static java.util.Optional<Refusal> skipRefusal(String taskDefinitionKey, Object decision, Object step) {
        if ("DecideFailedStep".equals(taskDefinitionKey) && "skip".equals(decision) && !"upgrade-nodes".equals(step)) {
            return java.util.Optional.of(new Refusal(false, "decision: 'skip' only applies to the hypervisor node"
                    + " upgrade (step upgrade-nodes), not to step '" + step + "'; choose retry, wait or abort"));
        }
        return java.util.Optional.empty();
    }

    /**
     * The steps of zone-upgrade, where "roll back" ends the zone with ROLLBACK_REQUESTED and the upgrade rolls
     * back. Elsewhere nothing catches it: the stop (zone-stop: a zone stopped, nothing changed, abort instead), the
     * federated backup, and the rollback's own steps (a rollback is not rolled back).
     */
    static final Set<String> ROLLBACK_FROM_STEPS = Set.of("backup-config", "backup-db", "restore-federated",
            "switch-repository", "upgrade-packages", "upgrade-config", "upgrade-db", "check-db", "dump-leader-db",
            "restore-followers", "pack-leader-config", "apply-leader-config", "start-services", "upgrade-nodes",
            "sync-hosts");

    public static java.util.Optional<Refusal> rollbackRefusal(String taskDefinitionKey, Object decision, Object step) {
        if ("DecideFailedStep".equals(taskDefinitionKey) && "rollback".equals(decision)
                && !ROLLBACK_FROM_STEPS.contains(String.valueOf(step))) {
            return java.util.Optional.of(new Refusal(false, "decision: 'rollback' is offered in the zone upgrade's"
                    + " steps, not in step '" + step + "'; choose retry, wait or abort (an aborted upgrade can be rolled"
                    + " back later: POST /api/upgrades/{id}/rollback)"));
        }
        return java.util.Optional.empty();
    }

    /** The approval and decision tasks of our processes (those this listener guards). */
    public static boolean isDecisionTask(String taskDefinitionKey) {
        return taskDefinitionKey != null && DECISIONS.containsKey(taskDefinitionKey);
    }

    public boolean fourEyes() {
        return settings.fourEyes();
    }

    /** What a completion may set: the form's own fields. Anything else changed by it is refused (tampering). */
    public static final Set<String> FORM_FIELDS = Set.of("decision", "comment");

    private void completed(DelegateTask task) {
        Object decision = task.getVariable("decision");
        Object comment = task.getVariable("comment");
        Authentication auth = task.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
        String who = auth != null && auth.getUserId() != null ? auth.getUserId() : task.getAssignee();
        java.util.Optional<Refusal> refusal = tamperRefusal(task)
                .or(() -> check(task.getTaskDefinitionKey(), task.getName(), decision, comment, who, starterOf(task),
                        task.getExecution().getProcessBusinessKey(), settings.fourEyes()))
                .or(() -> skipRefusal(task.getTaskDefinitionKey(), decision, task.getVariable("step")))
                .or(() -> rollbackRefusal(task.getTaskDefinitionKey(), decision, task.getVariable("step")));
        if (refusal.isPresent()) {
            if (refusal.get().forbidden()) {
                recordRefusal(task, who, refusal.get().message());
            }
            throw new ProcessEngineException(refusal.get().message());
        }
        String d = (String) decision;
        String c = (String) comment;
        task.setVariableLocal("decidedBy", who == null ? "unknown" : who);
        task.setVariableLocal("decision", d);
        task.setVariableLocal("comment", c.strip());
        task.setVariableLocal("decidedAt", clock.instant().toString());
        if ("ApproveStart".equals(task.getTaskDefinitionKey())) {
            Object shown = task.getVariable("planHash");
            task.setVariableLocal("planHash", shown);
            if ("approve".equals(d)) {
                task.setVariable("approvedPlanHash", shown);
            }
        }
    }

    /**
     * Who started the upgrade, as the engine recorded it: the start user of the root {@code federation-upgrade}
     * instance (set by the service's own start, see ServiceStart), never a variable anyone could rewrite.
     */
    static String starterOf(DelegateTask task) {
        String rootId = task.getExecution() instanceof ExecutionEntity e ? e.getRootProcessInstanceId()
                : task.getProcessInstanceId();
        CommandContext context = Context.getCommandContext();
        HistoricProcessInstance root = context.runWithoutAuthorization(() -> task.getProcessEngineServices()
                .getHistoryService().createHistoricProcessInstanceQuery().processInstanceId(rootId).singleResult());
        return root == null ? null : root.getStartUserId();
    }

    /**
     * A completion sets the form's fields only: a startedBy, targetVersion, federatedBackupPath... sent along
     * with it (REST body, Tasklist form, any path or size) would change what the approval covers. Found in the
     * engine's own unit of work: every variable this command created or changed.
     */
    static java.util.Optional<Refusal> tamperRefusal(DelegateTask task) {
        DbEntityCache cache = Context.getCommandContext().getDbEntityManager().getDbEntityCache();
        java.util.TreeSet<String> changed = new java.util.TreeSet<>();
        CommandContext context = Context.getCommandContext();
        for (VariableInstanceEntity v : cache.getEntitiesByType(VariableInstanceEntity.class)) {
            if (FORM_FIELDS.contains(v.getName())) {
                continue;
            }
            CachedDbEntity cached = cache.getCachedEntity(v);
            if (cache.isDeleted(v)) {
                changed.add(v.getName());
            } else if (cache.isTransient(v)) {
                // a new variable; Tasklist sends a form's empty read-only fields as null
                if (comparable(v) != null) {
                    changed.add(v.getName());
                }
            } else if (cached != null && cached.isDirty() && !Objects.equals(committed(context, v.getId()), comparable(v))) {
                // Tasklist sends the form's read-only fields back unchanged: only a different value is tampering
                changed.add(v.getName());
            }
        }
        if (changed.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Refusal(true, "refused: completing '" + task.getName() + "' may set only "
                + new java.util.TreeSet<>(FORM_FIELDS) + ", not " + changed + "; send the decision and the comment"
                + " only"));
    }

    /** The value as stored before this command, read in a transaction of its own (null: gone meanwhile). */
    private static Object committed(CommandContext context, String variableId) {
        return context.getProcessEngineConfiguration().getCommandExecutorTxRequiresNew().execute(c ->
                c.runWithoutAuthorization(() -> {
                    VariableInstanceEntity before = c.getDbEntityManager().selectById(VariableInstanceEntity.class,
                            variableId);
                    return before == null ? null : comparable(before);
                }));
    }

    /** A value to compare, never deserializing an object (its serialized form is compared instead). */
    private static Object comparable(VariableInstanceEntity v) {
        org.camunda.bpm.engine.variable.value.TypedValue typed = v.getTypedValue(false);
        if (typed instanceof org.camunda.bpm.engine.variable.value.SerializableValue serializable) {
            return serializable.getValueSerialized();
        }
        Object value = typed.getValue();
        return value instanceof byte[] bytes ? java.util.HexFormat.of().formatHex(bytes) : value;
    }

    /**
     * A refused completion rolls its own transaction back: the attempt is kept as a comment on the task, written in
     * a transaction of its own (the report lists these comments with the approvals).
     */
    private static void recordRefusal(DelegateTask task, String who, String message) {
        CommandContext context = Context.getCommandContext();
        String text = message.length() > 3900 ? message.substring(0, 3900) : message;
        try {
            context.getProcessEngineConfiguration().getCommandExecutorTxRequiresNew().execute(c -> {
                CommentEntity comment = new CommentEntity();
                comment.setUserId(who);
                comment.setType(CommentEntity.TYPE_COMMENT);
                comment.setTime(org.camunda.bpm.engine.impl.util.ClockUtil.getCurrentTime());
                comment.setTaskId(task.getId());
                comment.setProcessInstanceId(task.getProcessInstanceId());
                comment.setRootProcessInstanceId(task.getExecution() instanceof ExecutionEntity e
                        ? e.getRootProcessInstanceId() : null);
                comment.setMessage(REFUSED + (text.length() > 160 ? text.substring(0, 160) : text));
                comment.setFullMessage(REFUSED + text);
                c.getDbEntityManager().insert(comment);
                return null;
            });
        } catch (RuntimeException e) {
            // the refusal itself stands; only its record failed
            org.slf4j.LoggerFactory.getLogger(ApprovalListener.class).warn("could not record a refused completion"
                    + " of task {}: {}", task.getId(), e.toString());
        }
    }

    /** The prefix of a task comment recording a refused completion. */
    public static final String REFUSED = "REFUSED completion: ";
}
