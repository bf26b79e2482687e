package io.onefed.upgrade.security;

import static org.camunda.bpm.engine.authorization.Authorization.ANY;
import static org.camunda.bpm.engine.authorization.Authorization.AUTH_TYPE_GRANT;

import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.BatchPermissions;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.ProcessDefinitionPermissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;

/**
 * The grants of each group, written at every start. Each (group, resource, resource id) row is set to exactly the
 * permissions listed here, so the database converges to this code; other rows (e.g. per-user grants made in the
 * Admin webapp) are left alone.
 */
public class EngineAuthorizations {

    /** Camunda webapp names as used by the APPLICATION resource. */
    static final String TASKLIST = "tasklist";
    static final String COCKPIT = "cockpit";

    private final AuthorizationService authorizations;
    private final SecurityProperties security;

    public EngineAuthorizations(AuthorizationService authorizations, SecurityProperties security) {
        this.authorizations = authorizations;
        this.security = security;
    }

    /** A wanted grant row. */
    record Grant(String group, Resource resource, String resourceId, Permission... permissions) {
    }

    List<Grant> grants(String approvalFilterId) {
        List<Grant> grants = new ArrayList<>();
        // operators: approve in Tasklist and retry failed steps in Cockpit, nothing else. Only the service's own
        // code starts processes (/api/upgrades, UpgradeRuns, as the operator but without the operator's checks), so
        // no CREATE_INSTANCE; no UPDATE_INSTANCE/UPDATE_TASK (they allow variable writes, modification, migration,
        // restart, and UPDATE on tasks); TASK_WORK is what claim and complete check (Camunda's
        // AuthorizationCommandChecker#checkTaskWork), RETRY_JOB what a job's "retry" checks (checkUpdateRetriesJob).
        // TASK_ASSIGN is Tasklist's unclaim and taking over a claimed gate: TaskAuthorizations refuses any
        // assignment (claim, delegation, assignee) to somebody else than the caller, and gives an assignee no right
        grants.add(new Grant(Groups.OPERATORS, Resources.APPLICATION, TASKLIST, Permissions.ACCESS));
        grants.add(new Grant(Groups.OPERATORS, Resources.APPLICATION, COCKPIT, Permissions.ACCESS));
        // written explicitly empty, so a database converging from the older, wider grants loses them
        grants.add(new Grant(Groups.OPERATORS, Resources.PROCESS_INSTANCE, ANY, Permissions.NONE));
        for (String key : security.processDefinitionKeys()) {
            grants.add(new Grant(Groups.OPERATORS, Resources.PROCESS_DEFINITION, key,
                    ProcessDefinitionPermissions.READ,
                    ProcessDefinitionPermissions.READ_INSTANCE,
                    ProcessDefinitionPermissions.RETRY_JOB,
                    ProcessDefinitionPermissions.READ_TASK,
                    ProcessDefinitionPermissions.TASK_WORK,
                    ProcessDefinitionPermissions.TASK_ASSIGN,
                    ProcessDefinitionPermissions.READ_INSTANCE_VARIABLE,
                    ProcessDefinitionPermissions.READ_TASK_VARIABLE,
                    ProcessDefinitionPermissions.READ_HISTORY,
                    ProcessDefinitionPermissions.READ_HISTORY_VARIABLE));
        }
        // Cockpit retries several failed jobs at once through a batch
        grants.add(new Grant(Groups.OPERATORS, Resources.BATCH, ANY,
                BatchPermissions.READ, BatchPermissions.CREATE_BATCH_SET_JOB_RETRIES));

        // the service's own start (ServiceStart): create our instances, nothing else; the process is asynchronous
        // right after its start event, so the start runs no step under these rights
        grants.add(new Grant(Groups.SERVICE, Resources.PROCESS_INSTANCE, ANY, Permissions.CREATE));
        for (String key : security.processDefinitionKeys()) {
            grants.add(new Grant(Groups.SERVICE, Resources.PROCESS_DEFINITION, key,
                    ProcessDefinitionPermissions.READ, ProcessDefinitionPermissions.CREATE_INSTANCE));
        }

        // auditors: read only, never CREATE/UPDATE/TASK_WORK/RETRY
        grants.add(new Grant(Groups.AUDITORS, Resources.APPLICATION, COCKPIT, Permissions.ACCESS));
        grants.add(new Grant(Groups.AUDITORS, Resources.APPLICATION, TASKLIST, Permissions.ACCESS));
        for (String key : security.processDefinitionKeys()) {
            grants.add(new Grant(Groups.AUDITORS, Resources.PROCESS_DEFINITION, key,
                    ProcessDefinitionPermissions.READ,
                    ProcessDefinitionPermissions.READ_INSTANCE,
                    ProcessDefinitionPermissions.READ_TASK,
                    ProcessDefinitionPermissions.READ_INSTANCE_VARIABLE,
                    ProcessDefinitionPermissions.READ_TASK_VARIABLE,
                    ProcessDefinitionPermissions.READ_HISTORY,
                    ProcessDefinitionPermissions.READ_HISTORY_VARIABLE));
        }

        // both see who is who (Tasklist shows assignees and candidate groups) and the shared filter
        for (String group : List.of(Groups.OPERATORS, Groups.AUDITORS)) {
            grants.add(new Grant(group, Resources.USER, ANY, Permissions.READ));
            grants.add(new Grant(group, Resources.GROUP, ANY, Permissions.READ));
            grants.add(new Grant(group, Resources.FILTER, approvalFilterId, Permissions.READ));
        }

        // administrators: everything, as Camunda's own first-admin setup grants
        for (Resources resource : Resources.values()) {
            grants.add(new Grant(Groups.ADMINS, resource, ANY, Permissions.ALL));
        }
        return grants;
    }

    public void ensure(String approvalFilterId) {
        for (Grant grant : grants(approvalFilterId)) {
            Authorization row = authorizations.createAuthorizationQuery()
                    .authorizationType(AUTH_TYPE_GRANT)
                    .groupIdIn(grant.group())
                    .resourceType(grant.resource())
                    .resourceId(grant.resourceId())
                    .singleResult();
            if (row == null) {
                row = authorizations.createNewAuthorization(AUTH_TYPE_GRANT);
                row.setGroupId(grant.group());
                row.setResource(grant.resource());
                row.setResourceId(grant.resourceId());
            }
            row.setPermissions(grant.permissions());
            authorizations.saveAuthorization(row);
        }
    }

    /**
     * Grants on single tasks of our processes, as Camunda's default provider gave assignees and candidates before
     * {@link TaskAuthorizations} (UPDATE: write variables, delegate, assign): a database from an older version of
     * this service still holds them for its open tasks. Removed at every start, so rights come from the groups only.
     * @return how many were removed
     */
    public int removeTaskGrants(org.camunda.bpm.engine.TaskService tasks) {
        int removed = 0;
        for (Authorization row : authorizations.createAuthorizationQuery().resourceType(Resources.TASK).list()) {
            String taskId = row.getResourceId();
            if (taskId == null || ANY.equals(taskId)) {
                continue;
            }
            if (tasks.createTaskQuery().taskId(taskId)
                    .processDefinitionKeyIn(security.processDefinitionKeys().toArray(String[]::new)).count() > 0) {
                authorizations.deleteAuthorization(row.getId());
                removed++;
            }
        }
        return removed;
    }
}
