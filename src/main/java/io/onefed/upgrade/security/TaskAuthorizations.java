package io.onefed.upgrade.security;

import org.camunda.bpm.engine.AuthorizationException;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cfg.auth.DefaultAuthorizationProvider;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.persistence.entity.AuthorizationEntity;
import org.camunda.bpm.engine.task.Task;
import org.springframework.stereotype.Component;

/**
 * Being assigned to a task, or named as its candidate, gives no right on it. Camunda's default provider grants the
 * assignee, the owner and every candidate user and group UPDATE on the task (setting its variables, assigning it
 * to others, delegating it): an operator could then widen their own rights, and an auditor assigned to a gate
 * could complete it. Here the rights come from {@link EngineAuthorizations} only (operators: TASK_WORK on the
 * gates' process definitions). A user claims a task for themselves only; an administrator may assign anyone.
 */
@Component
public class TaskAuthorizations extends AbstractProcessEnginePlugin {

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        configuration.setResourceAuthorizationProvider(new Provider());
    }

    static final class Provider extends DefaultAuthorizationProvider {

        private static final AuthorizationEntity[] NONE = new AuthorizationEntity[0];

        @Override
        public AuthorizationEntity[] newTaskAssignee(Task task, String oldAssignee, String newAssignee) {
            CommandContext context = Context.getCommandContext();
            Authentication user = context == null ? null : context.getAuthentication();
            // the engine's own work (no user) and administrators may assign anyone; others only themselves
            if (user != null && user.getUserId() != null && newAssignee != null
                    && !newAssignee.equals(user.getUserId())
                    && (user.getGroupIds() == null || !user.getGroupIds().contains(Groups.ADMINS))) {
                throw new AuthorizationException(user.getUserId() + " may claim task '" + task.getName()
                        + "' only for themselves, not for " + newAssignee
                        + "; the other user claims it in Tasklist");
            }
            return NONE;
        }

        @Override
        public AuthorizationEntity[] newTaskOwner(Task task, String oldOwner, String newOwner) {
            return NONE;
        }

        @Override
        public AuthorizationEntity[] newTaskUserIdentityLink(Task task, String userId, String type) {
            return NONE;
        }

        @Override
        public AuthorizationEntity[] newTaskGroupIdentityLink(Task task, String groupId, String type) {
            return NONE;
        }
    }
}
