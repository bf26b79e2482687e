package io.onefed.upgrade.process;

import io.onefed.upgrade.security.Groups;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;

/**
 * The service's own start of an upgrade process. Operators hold no CREATE_INSTANCE (so the engine REST API and the
 * webapps cannot start our processes with hand-made variables, bypassing the checks of {@link UpgradeRuns#start}).
 * This start runs as the operator, so the engine records them as the start user
 * ({@code HistoricProcessInstance#getStartUserId}, what four eyes trusts, never a variable), with the group
 * {@link Groups#SERVICE} asserted for this one call: only that group may create our instances, and no user can be
 * a member of it (it is never an identity group, see IdentitySetup), so no request reaches that right.
 * Public API only: {@code IdentityService#setAuthentication} with explicit groups, then the ordinary start.
 */
public final class ServiceStart {

    private final RuntimeService runtime;
    private final IdentityService identity;

    public ServiceStart(RuntimeService runtime, IdentityService identity) {
        this.runtime = runtime;
        this.identity = identity;
    }

    public ProcessInstance start(String key, String businessKey, Map<String, Object> variables, String startedBy) {
        if (startedBy == null || startedBy.isBlank()) {
            throw new IllegalArgumentException("no user to start " + key + " as");
        }
        org.camunda.bpm.engine.impl.identity.Authentication before = identity.getCurrentAuthentication();
        identity.setAuthentication(startedBy, List.of(Groups.SERVICE));
        try {
            return runtime.createProcessInstanceByKey(key).businessKey(businessKey).setVariables(variables).execute();
        } finally {
            if (before == null) {
                identity.clearAuthentication();
            } else {
                identity.setAuthentication(before);
            }
        }
    }
}
