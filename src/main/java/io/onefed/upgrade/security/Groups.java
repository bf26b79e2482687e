package io.onefed.upgrade.security;

import java.util.List;

/** The Camunda groups this service knows. Membership decides a user's {@link Role}. */
public final class Groups {
    public static final String OPERATORS = "operators";
    public static final String AUDITORS = "auditors";
    /**
     * Scrapers of {@code /actuator/prometheus} (a Prometheus server's login): that endpoint and nothing else, no
     * engine authorization, so the password in a scrape config opens neither the API nor the webapps.
     */
    public static final String METRICS = "metrics";
    /** Camunda's own administrator group: the Admin webapp treats its members as administrators. */
    public static final String ADMINS = org.camunda.bpm.engine.authorization.Groups.CAMUNDA_ADMIN;

    /**
     * The service's own code starting our processes ({@code process/ServiceStart}): asserted for that call only,
     * never an identity group, so no user is ever a member and no request carries it.
     */
    public static final String SERVICE = "onefed-service";

    /** The groups users are members of. */
    public static final List<String> ALL = List.of(OPERATORS, AUDITORS, ADMINS, METRICS);

    private Groups() {
    }
}
