package io.onefed.upgrade.security;

import java.util.Optional;

/**
 * What a user may do in this service, derived from Camunda group membership. The engine enforces the same split
 * through the authorizations granted by {@link EngineAuthorizations}; Spring Security uses the roles for {@code /api}.
 */
public enum Role {
    /** Starts upgrades, claims and completes approval tasks, retries failed steps. */
    OPERATOR(Groups.OPERATORS),
    /** Reads processes, history and reports; never changes anything. */
    AUDITOR(Groups.AUDITORS),
    /** Camunda administrator: users, groups, authorizations, and everything an operator may do. */
    ADMIN(Groups.ADMINS),
    /** Reads {@code /actuator/prometheus}; nothing else (a Prometheus server's scrape login). */
    METRICS(Groups.METRICS);

    private final String group;

    Role(String group) {
        this.group = group;
    }

    /** The Camunda group whose members have this role. */
    public String group() {
        return group;
    }

    /** The Spring Security authority, e.g. {@code ROLE_OPERATOR} (use {@code hasRole("OPERATOR")}). */
    public String authority() {
        return "ROLE_" + name();
    }

    public static Optional<Role> ofGroup(String groupId) {
        for (Role role : values()) {
            if (role.group.equals(groupId)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    public static Optional<Role> ofAuthority(String authority) {
        for (Role role : values()) {
            if (role.authority().equals(authority)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
