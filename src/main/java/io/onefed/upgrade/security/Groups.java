package io.onefed.upgrade.security;

import java.util.List;

/** The Camunda groups this service knows. Membership decides a user's {@link Role}. */
public final class Groups {
    public static final String OPERATORS = "operators";
    public static final String AUDITORS = "auditors";
    /** Camunda's own administrator group: the Admin webapp treats its members as administrators. */
    public static final String ADMINS = org.camunda.bpm.engine.authorization.Groups.CAMUNDA_ADMIN;

    /**
     * The service's own code starting our processes ({@code process/ServiceStart}): asserted for that call only,
     * never an identity group, so no user is ever a member and no request carries it.
     */
    public static final String SERVICE = "onefed-service";

    /** The groups users are members of. */
    public static final List<String> ALL = List.of(OPERATORS, AUDITORS, ADMINS);

    private Groups() {
    }
}
