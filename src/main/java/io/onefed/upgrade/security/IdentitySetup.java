package io.onefed.upgrade.security;

import io.onefed.upgrade.federation.SecretResolver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.stereotype.Component;

/**
 * Creates the groups, the configured users, the authorizations and the shared Tasklist filter once the engine is
 * built, before it serves any request. Runs at every start and converges to the configuration (idempotent).
 * A Spring bean of type ProcessEnginePlugin is picked up by the Camunda starter.
 */
@Component
public class IdentitySetup extends AbstractProcessEnginePlugin {

    public static final String DEMO_PROFILE = "demo";
    private static final Logger log = LoggerFactory.getLogger(IdentitySetup.class);

    private final OnefedUsersProperties users;
    private final SecurityProperties security;
    private final boolean demo;
    private final SecretResolver secrets;

    public IdentitySetup(OnefedUsersProperties users, SecurityProperties security, Environment environment) {
        this.users = users;
        this.security = security;
        this.demo = environment.acceptsProfiles(Profiles.of(DEMO_PROFILE));
        this.secrets = new SecretResolver();
        refuseCamundaAdminWithoutPassword(environment);
        // checked before the engine exists, so a bad entry leaves nothing half-created
        List<String> problems = validate(users.users(), demo);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid initial users:\n  - " + String.join("\n  - ", problems));
        }
    }

    /** Camunda's own admin-user property falls back to the user id as password: never let that happen silently. */
    static void refuseCamundaAdminWithoutPassword(Environment environment) {
        String id = environment.getProperty("camunda.bpm.admin-user.id");
        if (id != null && !id.isBlank() && environment.getProperty("camunda.bpm.admin-user.password") == null) {
            throw new IllegalStateException("camunda.bpm.admin-user.id is set without camunda.bpm.admin-user.password,"
                    + " so Camunda would use the user id as password. Set camunda.bpm.admin-user.password from an"
                    + " environment variable (CAMUNDA_BPM_ADMINUSER_PASSWORD), or configure the admin as an entry of"
                    + " onefed.users with groups [camunda-admin] and password.env");
        }
    }

    static List<String> validate(List<UserProperties> users, boolean demo) {
        List<String> problems = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            UserProperties u = users.get(i);
            String field = "onefed.users[" + i + "]";
            if (u.id() == null || u.id().isBlank()) {
                problems.add(field + ".id is missing: give the login name");
                continue;
            }
            if (seen.contains(u.id())) {
                problems.add(field + ".id '" + u.id() + "' is listed twice: keep one entry per user");
            }
            seen.add(u.id());
            boolean hasRef = u.password() != null && !u.password().isEmpty();
            boolean hasLiteral = u.demoPassword() != null && !u.demoPassword().isEmpty();
            if (hasLiteral && !demo) {
                problems.add(field + ".demo-password is only accepted with the demo profile:"
                        + " use " + field + ".password.env or " + field + ".password.file");
            } else if (hasRef && hasLiteral) {
                problems.add(field + " has both password and demo-password: keep one");
            } else if (!hasRef && !hasLiteral) {
                problems.add(field + ".password is missing: set " + field + ".password.env (an environment"
                        + " variable name) or " + field + ".password.file (a file holding the password)");
            } else if (hasRef && u.password().env() != null && !u.password().env().isBlank()
                    && u.password().file() != null && !u.password().file().isBlank()) {
                problems.add(field + ".password has both env and file: keep one");
            }
            if (u.groups().isEmpty()) {
                problems.add(field + ".groups is empty: give at least one of " + Groups.ALL);
            }
            for (String g : u.groups()) {
                if (!Groups.ALL.contains(g)) {
                    problems.add(field + ".groups contains unknown group '" + g + "': use " + Groups.ALL);
                }
            }
        }
        return problems;
    }

    @Override
    public void postProcessEngineBuild(ProcessEngine engine) {
        IdentityService identity = engine.getIdentityService();
        createGroups(identity);
        removeServiceGroup(identity);
        for (int i = 0; i < users.users().size(); i++) {
            upsertUser(identity, users.users().get(i), "onefed.users[" + i + "]");
        }
        String filterId = new ApprovalFilter(engine, security).ensure();
        EngineAuthorizations grants = new EngineAuthorizations(engine.getAuthorizationService(), security);
        grants.ensure(filterId);
        int stale = grants.removeTaskGrants(engine.getTaskService());
        if (stale > 0) {
            log.info("Removed {} grants on single tasks (left by an older version): rights come from the groups only",
                    stale);
        }
        if (identity.createUserQuery().memberOfGroup(Groups.ADMINS).count() == 0) {
            log.warn("No administrator exists: nobody can manage users in the Admin webapp. Add an entry to"
                    + " onefed.users with groups [{}] and password.env (the Admin webapp's first-admin setup page is"
                    + " disabled on purpose)", Groups.ADMINS);
        }
    }

    /**
     * The service's own group ({@link Groups#SERVICE}) may create upgrade instances; it is asserted by the
     * service's code only and must never have members. A group of that id made in the Admin webapp (only an
     * administrator can, who holds every right anyway) is removed with its memberships at the next start.
     */
    private static void removeServiceGroup(IdentityService identity) {
        if (identity.createGroupQuery().groupId(Groups.SERVICE).count() > 0) {
            log.warn("Removing the identity group '{}' and its members: that group id is reserved for the service's"
                    + " own start of upgrades, and no user may hold it", Groups.SERVICE);
            identity.deleteGroup(Groups.SERVICE);
        }
    }

    private static void createGroups(IdentityService identity) {
        for (String id : Groups.ALL) {
            if (identity.createGroupQuery().groupId(id).count() == 0) {
                Group group = identity.newGroup(id);
                group.setName(switch (id) {
                    case Groups.OPERATORS -> "Upgrade operators";
                    case Groups.AUDITORS -> "Upgrade auditors";
                    case Groups.METRICS -> "Metrics scrapers";
                    default -> "Camunda administrators";
                });
                group.setType(Groups.ADMINS.equals(id)
                        ? org.camunda.bpm.engine.authorization.Groups.GROUP_TYPE_SYSTEM
                        : org.camunda.bpm.engine.authorization.Groups.GROUP_TYPE_WORKFLOW);
                identity.saveGroup(group);
            }
        }
    }

    private void upsertUser(IdentityService identity, UserProperties config, String field) {
        char[] secret = config.password() != null && !config.password().isEmpty()
                ? secrets.resolve(config.password(), field + ".password")
                : config.demoPassword().toCharArray();
        String password = new String(secret);
        Arrays.fill(secret, '\0');
        User user = identity.createUserQuery().userId(config.id()).singleResult();
        boolean created = user == null;
        if (created) {
            user = identity.newUser(config.id());
        }
        user.setFirstName(orDefault(config.firstName(), config.id()));
        user.setLastName(orDefault(config.lastName(), ""));
        user.setEmail(config.email());
        // configuration is the source of truth for the password: a rotated secret takes effect at the next start.
        // Set unconditionally: comparing through checkPassword would count as a failed login and can lock the user.
        user.setPassword(password);
        identity.saveUser(user);
        // a configured user locked by failed logins (Camunda's per-user lockout, see EngineLoginLockout) is open again
        // after a restart: the configuration says this user may log in
        identity.unlockUser(config.id());
        for (String group : config.groups()) {
            if (identity.createUserQuery().userId(config.id()).memberOfGroup(group).count() == 0) {
                identity.createMembership(config.id(), group);
            }
        }
        log.info("User {} {} (groups {})", config.id(), created ? "created" : "checked", config.groups());
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
