package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.onefed.upgrade.notify.ApprovalReminder;
import io.onefed.upgrade.steps.ZoneStep;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.camunda.bpm.impl.juel.ExpressionFactoryImpl;
import org.camunda.bpm.impl.juel.SimpleContext;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.BaseElement;
import org.camunda.bpm.model.bpmn.instance.CallActivity;
import org.camunda.bpm.model.bpmn.instance.EndEvent;
import org.camunda.bpm.model.bpmn.instance.ExclusiveGateway;
import org.camunda.bpm.model.bpmn.instance.FlowNode;
import org.camunda.bpm.model.bpmn.instance.SequenceFlow;
import org.camunda.bpm.model.bpmn.instance.UserTask;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaExecutionListener;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaIn;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaTaskListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.context.annotation.AnnotationBeanNameGenerator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.stereotype.Component;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.Yaml;

/**
 * The BPMN models, their forms and the Java that names their parts agree. Element ids, bean names and decision
 * values are an API between bpmn/ and src/main/java that neither compiler checks: a renamed gateway, a bean
 * renamed on one side or a form offering a decision its listener refuses only showed up in a running upgrade.
 * Every check reads the files as they ship (bpmn/*.bpmn, bpmn/*.form, src/main/java) and the beans as the
 * production configuration declares them (no Spring context started: the @Bean methods and @Component classes
 * of the main source set, read reflectively, leaving out any that a profile or condition may switch off).
 */
class ModelConsistencyTest {

    private static final Path BPMN = Path.of("bpmn");
    private static final Path MAIN = Path.of("src/main/java");
    /** Names an expression may use that are the engine's own, not beans. */
    private static final Set<String> ENGINE_NAMES = Set.of("execution", "task", "authenticatedUserId");

    static final Map<String, BpmnModelInstance> models = new TreeMap<>();
    static final Map<String, Document> documents = new TreeMap<>();
    static final Map<String, JsonNode> forms = new TreeMap<>();
    /** Bean name -> its type, as the main source set declares it. */
    static final Map<String, Class<?>> beans = new TreeMap<>();

    @BeforeAll
    static void load() throws Exception {
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        try (Stream<Path> files = Files.list(BPMN)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".bpmn")) {
                    models.put(name, Bpmn.readModelFromFile(f.toFile()));
                    documents.put(name, dbf.newDocumentBuilder().parse(f.toFile()));
                } else if (name.endsWith(".form")) {
                    forms.put(name, new ObjectMapper().readTree(f.toFile()));
                }
            }
        }
        assertThat(models).as("bpmn/*.bpmn (run from the project's root)").hasSizeGreaterThanOrEqualTo(4);
        assertThat(forms).as("bpmn/*.form").isNotEmpty();
        readBeans();
    }

    @AfterEach
    void reset() {
        Mocks.reset();
    }

    // ------------------------------------------------------------------ beans

    /** One expression in a model: where it is, its text, and what kind of bean its root must be, if any. */
    record Expr(String where, String text, Class<?> delegateType) {
    }

    @Test
    void everyBeanAnExpressionNamesIsDeclaredWithTheMemberItUses() {
        List<String> problems = new ArrayList<>();
        Pattern delegate = Pattern.compile("^[$#]\\{\\s*([A-Za-z_]\\w*)\\s*}$");
        Pattern member = Pattern.compile("(?<![\\w.])([A-Za-z_]\\w*)\\s*\\.\\s*([A-Za-z_]\\w*)(\\s*\\()?");
        for (Expr e : expressions()) {
            if (e.delegateType() != null) {
                Matcher m = delegate.matcher(e.text().strip());
                if (!m.matches()) {
                    problems.add(e.where() + ": delegate expression " + e.text() + " is not ${beanName}");
                    continue;
                }
                Class<?> type = beans.get(m.group(1));
                if (type == null) {
                    problems.add(e.where() + ": " + e.text() + " names no bean (declared: " + beans.keySet() + ")");
                } else if (!e.delegateType().isAssignableFrom(type)) {
                    problems.add(e.where() + ": " + e.text() + " is a " + type.getSimpleName() + ", not a "
                            + e.delegateType().getSimpleName());
                }
                continue;
            }
            Matcher m = member.matcher(withoutStringLiterals(e.text()));
            while (m.find()) {
                String root = m.group(1);
                if (ENGINE_NAMES.contains(root)) {
                    continue;
                }
                Class<?> type = beans.get(root);
                if (type == null) {
                    problems.add(e.where() + ": " + e.text() + " uses " + root + "." + m.group(2)
                            + " but no bean is named " + root);
                } else if (m.group(3) != null ? !hasMethod(type, m.group(2)) : !hasProperty(type, m.group(2))) {
                    problems.add(e.where() + ": " + e.text() + ": " + type.getSimpleName() + " has no "
                            + (m.group(3) != null ? "public method " + m.group(2) + "(...)" : "getter for " + m.group(2)));
                }
            }
        }
        assertThat(problems).as("expressions in bpmn/*.bpmn").isEmpty();
    }

    /** The process tests run the models on the same bean names as production (ProcessTestSupport's Mocks). */
    @Test
    void theProcessTestsRegisterEveryBeanTheModelsUse() {
        ProcessTestSupport.register(FakeFederation.guide("6.10.0"));
        Set<String> used = usedBeans();
        assertThat(used).as("beans the models use").contains("approvalListener").hasSizeGreaterThan(10);
        assertThat(used.stream().filter(b -> Mocks.get(b) == null).toList()).as("beans ProcessTestSupport misses")
                .isEmpty();
    }

    /**
     * From an element to its code in one hop: a bean the models use is named like its class ({@code outcomeDelegate}
     * was an {@code OutcomeListener}, {@code upgradeEndedNotifier} an {@code UpgradeEndedListener}).
     */
    @Test
    void everyBeanTheModelsUseIsNamedLikeItsClass() {
        List<String> problems = new ArrayList<>();
        for (String bean : usedBeans()) {
            Class<?> type = beans.get(bean);
            if (type == null) {
                continue; // everyBeanAnExpressionNamesIsDeclaredWithTheMemberItUses reports it
            }
            String expected = Character.toLowerCase(type.getSimpleName().charAt(0)) + type.getSimpleName().substring(1);
            if (!bean.equals(expected)) {
                problems.add("bean " + bean + " is a " + type.getSimpleName() + ": name it " + expected);
            }
        }
        assertThat(problems).as("bean names that are not their class's").isEmpty();
    }

    /** Beans that do the same job for several elements on purpose (no switch on the element id), and why. */
    static final Map<String, String> SHARED_DELEGATES = Map.of();

    /**
     * One element, one delegate: a service task's delegate serves only that element. Before, federationStepDelegate
     * served six elements by switching on the activity id, nextAttemptDelegate four, backupCopyDelegate three and
     * planDelegate two; a reader of the model could not tell which code an element ran.
     */
    @Test
    void eachServiceTaskHasADelegateOfItsOwn() {
        Map<String, Set<String>> elementsByBean = new TreeMap<>();
        for (BpmnModelInstance m : models.values()) {
            for (org.camunda.bpm.model.bpmn.instance.ServiceTask t
                    : m.getModelElementsByType(org.camunda.bpm.model.bpmn.instance.ServiceTask.class)) {
                String bean = beanOf(t.getCamundaDelegateExpression());
                if (!bean.isEmpty()) {
                    elementsByBean.computeIfAbsent(bean, b -> new TreeSet<>()).add(t.getId());
                }
            }
        }
        assertThat(elementsByBean).as("service task delegates").hasSizeGreaterThan(20);
        List<String> shared = new ArrayList<>();
        elementsByBean.forEach((bean, ids) -> {
            if (ids.size() > 1 && !SHARED_DELEGATES.containsKey(bean)) {
                shared.add(bean + " serves " + ids + ": give each element a delegate named like it");
            }
        });
        assertThat(shared).as("delegates serving more than one element").isEmpty();
    }

    /** From an element to its class in one hop: element {@code RecordEnabledHosts} runs {@code RecordEnabledHostsDelegate}. */
    @Test
    void eachServiceTaskDelegateIsNamedLikeItsElement() {
        List<String> problems = new ArrayList<>();
        for (BpmnModelInstance m : models.values()) {
            for (org.camunda.bpm.model.bpmn.instance.ServiceTask t
                    : m.getModelElementsByType(org.camunda.bpm.model.bpmn.instance.ServiceTask.class)) {
                String bean = beanOf(t.getCamundaDelegateExpression());
                String expected = Character.toLowerCase(t.getId().charAt(0)) + t.getId().substring(1) + "Delegate";
                if (!bean.isEmpty() && !SHARED_DELEGATES.containsKey(bean) && !bean.equals(expected)) {
                    problems.add(t.getId() + " runs ${" + bean + "}: name its delegate " + expected);
                }
            }
        }
        assertThat(problems).as("service tasks whose delegate is not named like them").isEmpty();
    }

    // ------------------------------------------------------------------ ids named in Java

    @Test
    void theDecisionRulesCoverExactlyTheUserTasksTheirListenerGuards() {
        Set<String> listenerBeans = beansOfType(ApprovalListener.class);
        Map<String, UserTask> guarded = new TreeMap<>();
        List<String> unguarded = new ArrayList<>();
        for (Map.Entry<String, BpmnModelInstance> m : models.entrySet()) {
            for (UserTask t : m.getValue().getModelElementsByType(UserTask.class)) {
                Set<String> events = new TreeSet<>();
                for (CamundaTaskListener l : m.getValue().getModelElementsByType(CamundaTaskListener.class)) {
                    if (t.equals(l.getParentElement().getParentElement()) && listenerBeans.contains(beanOf(l.getCamundaDelegateExpression()))) {
                        events.add(l.getCamundaEvent());
                    }
                }
                if (events.containsAll(Set.of("create", "complete"))) {
                    guarded.put(t.getId(), t);
                } else {
                    unguarded.add(m.getKey() + ": user task " + t.getId() + " has the approval listener on " + events
                            + ", not on create and complete");
                }
            }
        }
        assertThat(unguarded).as("every user task is a decision the approval listener checks").isEmpty();
        assertThat(new TreeSet<>(ApprovalListener.DECISIONS.keySet())).as("ApprovalListener.DECISIONS keys")
                .isEqualTo(guarded.keySet());
        assertThat(guarded.keySet()).as("ApprovalListener.GATES are user tasks").containsAll(ApprovalListener.GATES);
    }

    @Test
    void everyOutcomeIsAnEndEventThatRecordsIt() {
        Set<String> outcomeBeans = beansOfType(OutcomeListener.class);
        Set<String> recording = new TreeSet<>();
        for (BpmnModelInstance m : models.values()) {
            for (EndEvent end : m.getModelElementsByType(EndEvent.class)) {
                for (CamundaExecutionListener l : m.getModelElementsByType(CamundaExecutionListener.class)) {
                    if (end.equals(l.getParentElement().getParentElement())
                            && outcomeBeans.contains(beanOf(l.getCamundaDelegateExpression()))) {
                        recording.add(end.getId());
                    }
                }
            }
        }
        // an end event without its OUTCOMES entry would record "ENDED", and an entry without its end event never shows
        assertThat(new TreeSet<>(OutcomeListener.all().keySet())).as("OutcomeListener.OUTCOMES and ROLLBACK_OUTCOMES keys")
                .isEqualTo(recording);
    }

    /**
     * Each approval gate carries its deadline as a {@code timeout} task listener (before: a boundary timer, a
     * service task and an end event per gate, four copies of one branch). ApprovalReminder reads the gate from the
     * task, so a reminder can only ever name the gate it sits on.
     */
    @Test
    void everyApprovalGateHasOneTimeoutReminder() {
        Set<String> reminderBeans = beansOfType(ApprovalReminder.class);
        Map<String, Integer> remindersPerGate = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, BpmnModelInstance> m : models.entrySet()) {
            for (CamundaTaskListener l : m.getValue().getModelElementsByType(CamundaTaskListener.class)) {
                boolean reminder = reminderBeans.contains(beanOf(l.getCamundaDelegateExpression()));
                boolean timeout = "timeout".equals(l.getCamundaEvent());
                String task = ((BaseElement) l.getParentElement().getParentElement()).getId();
                if (reminder != timeout) {
                    problems.add(m.getKey() + ": listener " + l.getAttributeValue("id") + " on " + task
                            + (reminder ? " reminds on '" + l.getCamundaEvent() + "', not on timeout" : " is a timeout without the reminder"));
                } else if (reminder) {
                    if (l.getTimeouts().size() != 1) {
                        problems.add(m.getKey() + ": reminder " + l.getAttributeValue("id") + " needs exactly one timer");
                    }
                    remindersPerGate.merge(task, 1, Integer::sum);
                }
            }
        }
        assertThat(problems).isEmpty();
        Map<String, Integer> once = new TreeMap<>();
        ApprovalListener.GATES.forEach(g -> once.put(g, 1));
        assertThat(remindersPerGate).as("timeout reminders per approval gate").isEqualTo(once);
    }

    /**
     * Activity ids Java compares or looks up (delegates switching on the activity, listeners keyed by task): every
     * CamelCase string literal in a main class that reads an activity or task id must be an element of a model.
     */
    @Test
    void everyElementIdInTheJavaExistsInAModel() throws IOException {
        Set<String> ids = new TreeSet<>();
        models.values().forEach(m -> m.getModelElementsByType(FlowNode.class).forEach(n -> ids.add(n.getId())));
        // the engine's getters (a record's activityId() in the report is not a lookup)
        Pattern readsIds = Pattern.compile("get(Current)?ActivityId\\(|getTaskDefinitionKey\\(");
        Pattern literal = Pattern.compile("\"([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*)\"");
        Map<String, String> missing = new TreeMap<>();
        int found = 0;
        for (Path f : javaSources()) {
            String src = Files.readString(f);
            if (!readsIds.matcher(src).find()) {
                continue;
            }
            Matcher m = literal.matcher(src);
            while (m.find()) {
                String id = m.group(1);
                if (id.endsWith("Exception")) {
                    continue; // error type names in JSON answers, not ids
                }
                found++;
                if (!ids.contains(id)) {
                    missing.put(id, MAIN.relativize(f).toString());
                }
            }
        }
        assertThat(found).as("ids found in the Java (the scan works)").isGreaterThan(20);
        assertThat(missing).as("ids named in Java but in no model").isEmpty();
    }

    @Test
    void everyProcessKeyInTheJavaAndTheConfigurationIsAProcess() throws Exception {
        Set<String> processes = new TreeSet<>();
        models.values().forEach(m -> m.getModelElementsByType(org.camunda.bpm.model.bpmn.instance.Process.class)
                .forEach(p -> processes.add(p.getId())));
        // the lists that must name all of them: a process left out gets no history TTL, no task checks, no grants
        assertThat(new TreeSet<>(HistoryTimeToLive.PROCESSES)).as("HistoryTimeToLive.PROCESSES").isEqualTo(processes);
        assertThat(new TreeSet<>(io.onefed.upgrade.security.SecurityProperties.DEFAULT_KEYS))
                .as("SecurityProperties.DEFAULT_KEYS").isEqualTo(processes);
        assertThat(new TreeSet<Object>((Collection<?>) staticField(io.onefed.upgrade.web.TaskFormCheckFilter.class,
                "OUR_PROCESSES"))).as("TaskFormCheckFilter.OUR_PROCESSES").isEqualTo(new TreeSet<Object>(processes));
        Map<String, Object> yaml = new Yaml().load(Files.readString(Path.of("src/main/resources/application.yaml")));
        Object keys = path(yaml, "onefed", "security", "process-definition-keys");
        assertThat(new TreeSet<Object>((Collection<?>) keys)).as("application.yaml onefed.security.process-definition-keys")
                .isEqualTo(new TreeSet<Object>(processes));
        assertThat(processes).contains(UpgradeRuns.PROCESS_KEY,
                (String) staticField(io.onefed.upgrade.audit.ReportService.class, "ROOT"));
        // and every key a query or comparison names
        Pattern keyed = Pattern.compile("(?i)processDefinition(Key|Id)");
        Pattern kebab = Pattern.compile("\"([a-z]+(?:-[a-z]+)+)\"");
        Map<String, String> missing = new TreeMap<>();
        for (Path f : javaSources()) {
            for (String line : Files.readAllLines(f)) {
                if (keyed.matcher(line).find()) {
                    Matcher m = kebab.matcher(line);
                    while (m.find()) {
                        if (!processes.contains(m.group(1))) {
                            missing.put(m.group(1), MAIN.relativize(f).toString());
                        }
                    }
                }
            }
        }
        assertThat(missing).as("process keys named in Java but no process").isEmpty();
        // called elements
        for (BpmnModelInstance m : models.values()) {
            for (CallActivity c : m.getModelElementsByType(CallActivity.class)) {
                assertThat(processes).as("calledElement of " + c.getId()).contains(c.getCalledElement());
            }
        }
    }

    /** Each remote-step call names its step by ZoneStep's id; every ZoneStep is run by some call. */
    @Test
    void everyStepACallNamesIsAZoneStepAndEveryZoneStepIsCalled() {
        Set<String> named = new TreeSet<>();
        for (BpmnModelInstance m : models.values()) {
            for (CamundaIn in : m.getModelElementsByType(CamundaIn.class)) {
                if ("step".equals(in.getCamundaTarget())) {
                    named.add(in.getCamundaSourceExpression());
                }
            }
        }
        Set<String> steps = new TreeSet<>();
        Arrays.stream(ZoneStep.values()).forEach(s -> steps.add(s.id()));
        assertThat(named).as("step inputs of the call activities").isEqualTo(steps);
    }

    // ------------------------------------------------------------------ forms and gateways

    @Test
    void everyFormATaskNamesExistsAndEveryFormIsUsed() {
        Set<String> formIds = new TreeSet<>();
        forms.forEach((file, json) -> {
            assertThat(json.path("id").asText()).as(file + " id").isEqualTo(file.replaceFirst("\\.form$", ""));
            formIds.add(json.path("id").asText());
        });
        Set<String> referenced = new TreeSet<>();
        for (Map.Entry<String, BpmnModelInstance> m : models.entrySet()) {
            for (UserTask t : m.getValue().getModelElementsByType(UserTask.class)) {
                assertThat(t.getCamundaFormRef()).as(m.getKey() + ": formRef of " + t.getId()).isNotBlank();
                assertThat(formIds).as(m.getKey() + ": form of " + t.getId()).contains(t.getCamundaFormRef());
                referenced.add(t.getCamundaFormRef());
            }
        }
        assertThat(referenced).as("forms in bpmn/ that some task uses").isEqualTo(formIds);
    }

    /**
     * The three places that define a decision agree for every decision task: the options its form offers, the
     * values ApprovalListener accepts, and the values its gateway routes. Before this test failed-step-decision.form
     * was shared by four tasks: it offered "wait" and "skip" where the listener refuses them, and the gateways of
     * the stop decisions routed a "wait" no rule accepts.
     */
    @Test
    void eachDecisionTasksFormOffersExactlyWhatItsRulesAcceptAndItsGatewayRoutes() {
        Set<String> universe = new TreeSet<>();
        ApprovalListener.DECISIONS.values().forEach(universe::addAll);
        forms.values().forEach(f -> universe.addAll(options(f)));
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, BpmnModelInstance> m : models.entrySet()) {
            for (UserTask t : m.getValue().getModelElementsByType(UserTask.class)) {
                checked++;
                String where = m.getKey() + ": " + t.getId();
                Set<String> accepted = new TreeSet<>(ApprovalListener.DECISIONS.getOrDefault(t.getId(), Set.of()));
                JsonNode form = forms.get(t.getCamundaFormRef() + ".form");
                Set<String> offered = form == null ? Set.of() : options(form);
                if (!offered.equals(accepted)) {
                    problems.add(where + ": form " + t.getCamundaFormRef() + " offers " + offered
                            + " but ApprovalListener.DECISIONS accepts " + accepted);
                }
                Map<String, Set<String>> routed = routes(t, universe, problems, where);
                Set<String> routedValues = new TreeSet<>();
                routed.values().forEach(routedValues::addAll);
                if (routed.isEmpty()) {
                    if (accepted.size() != 1) {
                        problems.add(where + ": " + accepted + " accepted but what follows does not branch on decision");
                    }
                } else if (!routedValues.equals(accepted)) {
                    problems.add(where + ": its gateway routes " + routedValues + " (" + routed + ") but "
                            + "ApprovalListener.DECISIONS accepts " + accepted);
                }
            }
        }
        assertThat(checked).as("decision tasks checked").isGreaterThanOrEqualTo(ApprovalListener.DECISIONS.size());
        assertThat(problems).as("forms, decision rules and gateways").isEmpty();
    }

    /** Flow id -> the decision values its condition lets through; empty when the next node does not branch on it. */
    private static Map<String, Set<String>> routes(UserTask task, Set<String> universe, List<String> problems,
            String where) {
        Map<String, Set<String>> routed = new TreeMap<>();
        Collection<SequenceFlow> out = task.getOutgoing();
        if (out.size() != 1) {
            problems.add(where + ": a decision task has " + out.size() + " outgoing flows, expected one to a gateway");
            return routed;
        }
        FlowNode next = out.iterator().next().getTarget();
        if (!(next instanceof ExclusiveGateway gateway)) {
            return routed;
        }
        boolean onDecision = gateway.getOutgoing().stream().anyMatch(f -> f.getConditionExpression() != null
                && f.getConditionExpression().getTextContent().matches("(?s).*\\bdecision\\b.*"));
        if (!onDecision) {
            return routed;
        }
        if (gateway.getDefault() != null) {
            problems.add(where + ": gateway " + gateway.getId() + " has a default flow: it would route any decision");
        }
        ExpressionFactoryImpl factory = new ExpressionFactoryImpl();
        Map<String, Integer> takers = new LinkedHashMap<>();
        for (SequenceFlow f : gateway.getOutgoing()) {
            String condition = f.getConditionExpression() == null ? null : f.getConditionExpression().getTextContent();
            if (condition == null || !condition.matches("(?s).*\\bdecision\\b.*")) {
                problems.add(where + ": gateway " + gateway.getId() + " flow " + f.getId() + " does not test decision: "
                        + condition);
                continue;
            }
            Set<String> values = new TreeSet<>();
            for (String v : universe) {
                SimpleContext context = new SimpleContext();
                context.setVariable("decision", factory.createValueExpression(v, String.class));
                if (Boolean.TRUE.equals(factory.createValueExpression(context, condition.strip(), Boolean.class)
                        .getValue(context))) {
                    values.add(v);
                    takers.merge(v, 1, Integer::sum);
                }
            }
            routed.put(f.getId(), values);
        }
        takers.forEach((v, n) -> {
            if (n > 1) {
                problems.add(where + ": gateway " + gateway.getId() + " has " + n + " flows for '" + v + "'");
            }
        });
        return routed;
    }

    private static Set<String> options(JsonNode form) {
        Set<String> values = new TreeSet<>();
        for (JsonNode c : form.path("components")) {
            if ("decision".equals(c.path("key").asText())) {
                c.path("values").forEach(v -> values.add(v.path("value").asText()));
            }
        }
        return values;
    }

    // ------------------------------------------------------------------ helpers

    /** Every ${...} / #{...} in every model: attributes and text, with the delegate type its place requires. */
    static List<Expr> expressions() {
        List<Expr> out = new ArrayList<>();
        documents.forEach((file, doc) -> collect(file, doc.getDocumentElement(), out));
        assertThat(out).as("expressions found in the models").hasSizeGreaterThan(30);
        return out;
    }

    private static void collect(String file, Element e, List<Expr> out) {
        String where = file + ": " + e.getLocalName() + idOf(e);
        NamedNodeMap attrs = e.getAttributes();
        for (int i = 0; i < attrs.getLength(); i++) {
            Attr a = (Attr) attrs.item(i);
            if (!a.getValue().contains("${") && !a.getValue().contains("#{")) {
                continue;
            }
            Class<?> type = null;
            if ("delegateExpression".equals(a.getLocalName())) {
                type = switch (e.getLocalName()) {
                    case "taskListener" -> TaskListener.class;
                    case "executionListener" -> ExecutionListener.class;
                    default -> JavaDelegate.class;
                };
            }
            out.add(new Expr(where + " @" + a.getLocalName(), a.getValue(), type));
        }
        NodeList children = e.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node c = children.item(i);
            if (c instanceof Element child) {
                collect(file, child, out);
            } else if (c.getNodeType() == Node.TEXT_NODE || c.getNodeType() == Node.CDATA_SECTION_NODE) {
                String text = c.getNodeValue();
                if (text.contains("${") || text.contains("#{")) {
                    out.add(new Expr(where, text.strip(), null));
                }
            }
        }
    }

    private static String idOf(Element e) {
        for (Node n = e; n instanceof Element el; n = n.getParentNode()) {
            if (!el.getAttribute("id").isEmpty()) {
                return " (in " + el.getAttribute("id") + ")";
            }
        }
        return "";
    }

    private static Set<String> usedBeans() {
        Set<String> used = new TreeSet<>();
        Pattern delegate = Pattern.compile("^[$#]\\{\\s*([A-Za-z_]\\w*)\\s*}$");
        Pattern member = Pattern.compile("(?<![\\w.])([A-Za-z_]\\w*)\\s*\\.");
        for (Expr e : expressions()) {
            Matcher m = (e.delegateType() != null ? delegate : member).matcher(withoutStringLiterals(e.text()).strip());
            while (m.find()) {
                if (!ENGINE_NAMES.contains(m.group(1))) {
                    used.add(m.group(1));
                }
            }
        }
        return used;
    }

    private static String withoutStringLiterals(String text) {
        return text.replaceAll("'[^']*'", "''").replaceAll("\"[^\"]*\"", "\"\"");
    }

    /** The bean a ${name} delegate expression names; "" for none (TreeSet.contains refuses null). */
    private static String beanOf(String delegateExpression) {
        if (delegateExpression == null) {
            return "";
        }
        Matcher m = Pattern.compile("^[$#]\\{\\s*([A-Za-z_]\\w*)\\s*}$").matcher(delegateExpression.strip());
        return m.matches() ? m.group(1) : "";
    }

    private static Set<String> beansOfType(Class<?> type) {
        Set<String> names = new TreeSet<>();
        beans.forEach((name, t) -> {
            if (type.isAssignableFrom(t)) {
                names.add(name);
            }
        });
        assertThat(names).as("beans of type " + type.getSimpleName()).isNotEmpty();
        return names;
    }

    private static boolean hasMethod(Class<?> type, String name) {
        return Arrays.stream(type.getMethods()).anyMatch(m -> m.getName().equals(name));
    }

    /** As JUEL's BeanELResolver reads a property: a public getX() or isX(). */
    private static boolean hasProperty(Class<?> type, String name) {
        String cap = Character.toUpperCase(name.charAt(0)) + name.substring(1);
        return Arrays.stream(type.getMethods()).anyMatch(m -> m.getParameterCount() == 0
                && (m.getName().equals("get" + cap) || m.getName().equals("is" + cap)));
    }

    /**
     * The beans of the main source set: @Component classes (and @Configuration, a @Component) by Spring's own
     * naming, and their @Bean methods by method name or @Bean(name). A bean behind a profile or a condition is
     * left out: the models need it in every configuration.
     */
    private static void readBeans() throws ClassNotFoundException {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(Component.class));
        DefaultListableBeanFactory registry = new DefaultListableBeanFactory();
        AnnotationBeanNameGenerator names = new AnnotationBeanNameGenerator();
        for (BeanDefinition definition : scanner.findCandidateComponents("io.onefed.upgrade")) {
            Class<?> type = Class.forName(definition.getBeanClassName());
            String location = type.getProtectionDomain().getCodeSource().getLocation().getPath();
            if (location.contains("test-classes") || AnnotatedElementUtils.isAnnotated(type, Conditional.class)) {
                continue;
            }
            beans.put(names.generateBeanName(definition, registry), type);
            for (Method m : type.getDeclaredMethods()) {
                Bean bean = AnnotatedElementUtils.findMergedAnnotation(m, Bean.class);
                if (bean == null || AnnotatedElementUtils.isAnnotated(m, Conditional.class)) {
                    continue;
                }
                String[] declared = bean.name();
                beans.put(declared.length > 0 ? declared[0] : m.getName(), m.getReturnType());
            }
        }
        assertThat(beans).as("beans found in the main source set").containsKey("processBeans").hasSizeGreaterThan(30);
    }

    private static List<Path> javaSources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static Object staticField(Class<?> type, String name) throws ReflectiveOperationException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(null);
    }

    @SuppressWarnings("unchecked")
    private static Object path(Map<String, Object> yaml, String... keys) {
        Object node = yaml;
        for (String k : keys) {
            node = ((Map<String, Object>) node).get(k);
        }
        return node;
    }
}
