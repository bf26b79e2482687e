package io.onefed.upgrade.ops;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParseListener;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.impl.pvm.process.ScopeImpl;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.camunda.bpm.engine.variable.value.PrimitiveValue;
import org.camunda.bpm.engine.variable.value.TypedValue;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Log lines written while the engine runs an activity carry the upgrade id, zone and step:
 * <ul>
 *   <li>a parse listener adds a start listener to every task, call activity and intermediate catch event that puts
 *       {@code upgradeId} (variable {@code upgradeId}, else the business key of the instance or of the process that
 *       called it), {@code zone} (the first plain value of {@code onefed.logging.zone-variables}, by default
 *       {@code zoneName} then {@code zoneId}) and {@code step} (activity name, else id, after the {@code step}
 *       variable when the process has one)
 *       into the MDC, and an end listener that removes the step;</li>
 *   <li>a command interceptor restores the three keys as they were before each engine command, so a delegate that
 *       throws (no end listener) cannot leave them on a job executor thread.</li>
 * </ul>
 */
@Component
public class ProcessMdcPlugin extends AbstractProcessEnginePlugin {

    private final List<String> zoneVariables;

    public ProcessMdcPlugin(@Value("${onefed.logging.zone-variables:zoneName,zoneId}") List<String> zoneVariables) {
        this.zoneVariables = List.copyOf(zoneVariables);
    }

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        List<BpmnParseListener> parseListeners = configuration.getCustomPreBPMNParseListeners() == null
                ? new ArrayList<>() : new ArrayList<>(configuration.getCustomPreBPMNParseListeners());
        parseListeners.add(new MdcParseListener(new MdcListener(zoneVariables)));
        configuration.setCustomPreBPMNParseListeners(parseListeners);

        configuration.setCustomPreCommandInterceptorsTxRequired(
                withRestore(configuration.getCustomPreCommandInterceptorsTxRequired()));
        configuration.setCustomPreCommandInterceptorsTxRequiresNew(
                withRestore(configuration.getCustomPreCommandInterceptorsTxRequiresNew()));
    }

    private static List<CommandInterceptor> withRestore(List<CommandInterceptor> existing) {
        List<CommandInterceptor> interceptors = existing == null ? new ArrayList<>() : new ArrayList<>(existing);
        interceptors.add(0, new MdcRestoringInterceptor());
        return interceptors;
    }

    /** Sets (start) or clears (end) the MDC around an activity. */
    static final class MdcListener implements ExecutionListener {
        private final List<String> zoneVariables;

        MdcListener(List<String> zoneVariables) {
            this.zoneVariables = zoneVariables;
        }

        @Override
        public void notify(DelegateExecution execution) {
            if (EVENTNAME_END.equals(execution.getEventName())) {
                MDC.remove(StepMdc.STEP);
                return;
            }
            putOrRemove(StepMdc.UPGRADE_ID, upgradeId(execution));
            putOrRemove(StepMdc.ZONE, zone(execution));
            String name = execution.getCurrentActivityName();
            String activity = name != null && !name.isBlank() ? name : execution.getCurrentActivityId();
            // a remote-step instance knows which step of the guide it runs: show it before the activity
            String guideStep = plainVariable(execution, StepMdc.STEP);
            putOrRemove(StepMdc.STEP, guideStep == null ? activity : guideStep + " / " + activity);
        }

        private String zone(DelegateExecution execution) {
            for (String variable : zoneVariables) {
                String value = plainVariable(execution, variable);
                if (value != null) {
                    return value;
                }
            }
            return null;
        }

        private static String upgradeId(DelegateExecution execution) {
            String variable = plainVariable(execution, StepMdc.UPGRADE_ID);
            if (variable != null) {
                return variable;
            }
            // a called zone process may have no business key of its own: use the caller's
            ExecutionEntity current = execution instanceof ExecutionEntity e ? e : null;
            String key = execution.getProcessBusinessKey();
            while (key == null && current != null) {
                ExecutionEntity superExecution = current.getProcessInstance().getSuperExecution();
                key = superExecution == null ? null : superExecution.getProcessBusinessKey();
                current = superExecution;
            }
            return key;
        }

        /** A string or number variable; objects are neither deserialized nor logged. */
        private static String plainVariable(DelegateExecution execution, String name) {
            TypedValue value = execution.getVariableTyped(name, false);
            if (value instanceof PrimitiveValue<?> primitive && primitive.getValue() != null) {
                return String.valueOf(primitive.getValue());
            }
            return null;
        }

        private static void putOrRemove(String key, String value) {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        }
    }

    /** Adds the listener to the activities that run code or wait for people. */
    static final class MdcParseListener extends AbstractBpmnParseListener {
        private final MdcListener listener;

        MdcParseListener(MdcListener listener) {
            this.listener = listener;
        }

        private void add(ActivityImpl activity) {
            activity.addBuiltInListener(ExecutionListener.EVENTNAME_START, listener);
            activity.addBuiltInListener(ExecutionListener.EVENTNAME_END, listener);
        }

        @Override
        public void parseServiceTask(Element element, ScopeImpl scope, ActivityImpl activity) {
            add(activity);
        }

        @Override
        public void parseSendTask(Element element, ScopeImpl scope, ActivityImpl activity) {
            add(activity);
        }

        @Override
        public void parseScriptTask(Element element, ScopeImpl scope, ActivityImpl activity) {
            add(activity);
        }

        @Override
        public void parseBusinessRuleTask(Element element, ScopeImpl scope, ActivityImpl activity) {
            add(activity);
        }

        @Override
        public void parseTask(Element element, ScopeImpl scope, ActivityImpl activity) {
            add(activity);
        }

        @Override
        public void parseManualTask(Element element, ScopeImpl scope, ActivityImpl activity) {
            add(activity);
        }

        @Override
        public void parseUserTask(Element element, ScopeImpl scope, ActivityImpl activity) {
            add(activity);
        }

        @Override
        public void parseReceiveTask(Element element, ScopeImpl scope, ActivityImpl activity) {
            add(activity);
        }

        @Override
        public void parseCallActivity(Element element, ScopeImpl scope, ActivityImpl activity) {
            add(activity);
        }

        @Override
        public void parseIntermediateCatchEvent(Element element, ScopeImpl scope, ActivityImpl activity) {
            add(activity);
        }
    }

    /** Restores the three MDC keys after every engine command, whatever happened inside. */
    static final class MdcRestoringInterceptor extends CommandInterceptor {
        @Override
        public <T> T execute(Command<T> command) {
            String upgradeId = MDC.get(StepMdc.UPGRADE_ID);
            String zone = MDC.get(StepMdc.ZONE);
            String step = MDC.get(StepMdc.STEP);
            try {
                return next.execute(command);
            } finally {
                restore(StepMdc.UPGRADE_ID, upgradeId);
                restore(StepMdc.ZONE, zone);
                restore(StepMdc.STEP, step);
            }
        }

        private static void restore(String key, String value) {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        }
    }
}
