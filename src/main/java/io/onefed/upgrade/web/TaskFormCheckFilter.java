package io.onefed.upgrade.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.onefed.upgrade.process.ApprovalListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.webapp.impl.security.auth.Authentications;
import org.camunda.bpm.webapp.impl.security.auth.UserAuthentication;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Checks a completion of one of our decision tasks ({@code /engine-rest/task/{id}/complete} or
 * {@code /submit-form}) against {@link ApprovalListener#check} before the engine sees it. The engine wraps a task
 * listener's refusal into a 500; here the same rules answer 400 (a field to fix) or 403 (four eyes) with the
 * message in Camunda's error format. Only for authenticated callers: others get the engine's own refusal.
 */
public class TaskFormCheckFilter extends OncePerRequestFilter {

    static final Pattern COMPLETION = Pattern.compile(".*/task/([^/]+)/(complete|submit-form)$");
    private static final ObjectMapper JSON = new ObjectMapper();
    static final java.util.Set<String> OUR_PROCESSES = java.util.Set.of("federation-upgrade", "zone-upgrade",
            "zone-stop", "remote-step", "rolling-upgrade", "zone-rollback", "federation-rollback");

    private final TaskService tasks;
    private final IdentityService identity;
    private final ApprovalListener listener;
    private final org.camunda.bpm.engine.RuntimeService runtime;
    private final org.camunda.bpm.engine.HistoryService history;

    public TaskFormCheckFilter(TaskService tasks, IdentityService identity, ApprovalListener listener,
            org.camunda.bpm.engine.RuntimeService runtime, org.camunda.bpm.engine.HistoryService history) {
        this.tasks = tasks;
        this.identity = identity;
        this.listener = listener;
        this.runtime = runtime;
        this.history = history;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || !COMPLETION.matcher(request.getRequestURI()).matches();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String user = currentUser();
        if (user == null) {
            chain.doFilter(request, response);
            return;
        }
        // bounded: RequestBodyLimit runs before every filter and refused a body over onefed.web.max-request-body
        // with 413, so a completion too big to be checked here never reaches the engine either
        byte[] body = request.getInputStream().readAllBytes();
        HttpServletRequest replay = new RequestBodyLimit.Buffered(request, body);
        Matcher m = COMPLETION.matcher(request.getRequestURI());
        m.matches();
        Optional<ApprovalListener.Refusal> refusal = refusal(m.group(1), body, user);
        if (refusal.isEmpty()) {
            chain.doFilter(replay, response);
            return;
        }
        if (refusal.get().forbidden()) {
            record(m.group(1), refusal.get().message());
        }
        response.setStatus(refusal.get().forbidden() ? HttpServletResponse.SC_FORBIDDEN : HttpServletResponse.SC_BAD_REQUEST);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        JSON.writeValue(response.getOutputStream(), Map.of("type",
                refusal.get().forbidden() ? "AuthorizationException" : "InvalidRequestException",
                "message", refusal.get().message()));
    }

    private Optional<ApprovalListener.Refusal> refusal(String taskId, byte[] body, String user) {
        Task task = tasks.createTaskQuery().taskId(taskId).singleResult();
        if (task == null || !ApprovalListener.isDecisionTask(task.getTaskDefinitionKey())
                || task.getProcessDefinitionId() == null || !OUR_PROCESSES.contains(task.getProcessDefinitionId().split(":")[0])) {
            return Optional.empty(); // not one of our decision tasks, or not visible: the engine answers
        }
        JsonNode variables;
        try {
            variables = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body).path("variables");
        } catch (IOException e) {
            return Optional.empty(); // malformed JSON: the REST API's own 400
        }
        Object decision = variables.has("decision") ? value(variables.get("decision"))
                : tasks.getVariable(taskId, "decision");
        Object comment = variables.has("comment") ? value(variables.get("comment"))
                : tasks.getVariable(taskId, "comment");
        java.util.List<String> extra = new java.util.ArrayList<>();
        variables.fieldNames().forEachRemaining(n -> {
            if (!ApprovalListener.FORM_FIELDS.contains(n)) {
                extra.add(n);
            }
        });
        if (!extra.isEmpty()) {
            return Optional.of(new ApprovalListener.Refusal(true, "refused: completing '" + task.getName()
                    + "' may set only " + new java.util.TreeSet<>(ApprovalListener.FORM_FIELDS) + ", not "
                    + new java.util.TreeSet<>(extra) + "; send the decision and the comment only"));
        }
        // who started the upgrade as the engine recorded it (the variable startedBy is only for display)
        Object startedBy = starter(task);
        return ApprovalListener.check(task.getTaskDefinitionKey(), task.getName(), decision, comment, user, startedBy,
                String.valueOf(tasks.getVariable(taskId, "upgradeId")), listener.fourEyes())
                .or(() -> ApprovalListener.skipRefusal(task.getTaskDefinitionKey(), decision, tasks.getVariable(taskId, "step")))
                .or(() -> ApprovalListener.rollbackRefusal(task.getTaskDefinitionKey(), decision,
                        tasks.getVariable(taskId, "step")));
    }

    private Object starter(Task task) {
        org.camunda.bpm.engine.runtime.ProcessInstance pi = runtime.createProcessInstanceQuery()
                .processInstanceId(task.getProcessInstanceId()).singleResult();
        if (pi == null) {
            return null;
        }
        org.camunda.bpm.engine.history.HistoricProcessInstance root = history.createHistoricProcessInstanceQuery()
                .processInstanceId(pi.getRootProcessInstanceId()).singleResult();
        return root == null ? null : root.getStartUserId();
    }

    /** A refused completion is kept as a comment on the task (the engine's own refusal does the same). */
    private void record(String taskId, String message) {
        try {
            Task task = tasks.createTaskQuery().taskId(taskId).singleResult();
            String text = message.length() > 3900 ? message.substring(0, 3900) : message;
            tasks.createComment(taskId, task == null ? null : task.getProcessInstanceId(), ApprovalListener.REFUSED + text);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(TaskFormCheckFilter.class).warn("could not record a refused completion"
                    + " of task {}: {}", taskId, e.toString());
        }
    }

    /** A typed value {@code {"value": ..., "type": ...}} as the engine would see it; numbers stay numbers. */
    private static Object value(JsonNode typed) {
        JsonNode v = typed.path("value");
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isNumber()) {
            return v.numberValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        return v.isMissingNode() || v.isNull() ? null : v.toString();
    }

    /** The engine REST API's user (set by Camunda's auth filter) or the webapps' logged-in user. */
    private String currentUser() {
        Authentication engineUser = identity.getCurrentAuthentication();
        if (engineUser != null && engineUser.getUserId() != null) {
            return engineUser.getUserId();
        }
        Authentications web = Authentications.getCurrent();
        if (web != null) {
            for (org.camunda.bpm.webapp.impl.security.auth.Authentication a : web.getAuthentications()) {
                if (a instanceof UserAuthentication u && u.getIdentityId() != null) {
                    return u.getIdentityId();
                }
            }
        }
        return null;
    }
}
