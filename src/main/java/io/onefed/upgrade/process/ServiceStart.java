package io.onefed.upgrade.process;

import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.ProcessInstantiationBuilderImpl;
import org.camunda.bpm.engine.impl.ServiceImpl;
import org.camunda.bpm.engine.impl.cmd.StartProcessInstanceCmd;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.impl.interceptor.CommandExecutor;
import org.camunda.bpm.engine.runtime.ProcessInstance;

/**
 * The service's own start of an upgrade process. Operators hold no CREATE_INSTANCE (so the engine REST API and the
 * webapps cannot start our processes with hand-made variables, bypassing the checks of {@link UpgradeRuns#start}):
 * this start runs with the engine's authorization checks off, and with the operator as the engine's authenticated
 * user, so the engine records them as the start user ({@code HistoricProcessInstance#getStartUserId}), which is
 * what four eyes trusts (never a variable).
 */
public final class ServiceStart {

    private ServiceStart() {
    }

    public static ProcessInstance start(RuntimeService runtime, String key, String businessKey, Map<String, Object> variables,
            String startedBy) {
        if (!(runtime instanceof ServiceImpl service)) {
            throw new IllegalStateException("the engine's own RuntimeService is needed to start " + key);
        }
        if (startedBy == null || startedBy.isBlank()) {
            throw new IllegalArgumentException("no user to start " + key + " as");
        }
        CommandExecutor executor = service.getCommandExecutor();
        ProcessInstantiationBuilderImpl builder = (ProcessInstantiationBuilderImpl)
                ProcessInstantiationBuilderImpl.createProcessInstanceByKey(executor, key)
                        .businessKey(businessKey).setVariables(variables);
        return executor.execute(context -> {
            IdentityService identity = context.getProcessEngineConfiguration().getIdentityService();
            Authentication before = identity.getCurrentAuthentication();
            // the caller's groups do not matter (no checks here); its name is what the engine records
            identity.setAuthentication(startedBy, List.of());
            try {
                return context.runWithoutAuthorization(new StartProcessInstanceCmd(builder));
            } finally {
                if (before == null) {
                    identity.clearAuthentication();
                } else {
                    identity.setAuthentication(before);
                }
            }
        });
    }
}
