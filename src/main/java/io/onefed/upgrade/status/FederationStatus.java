package io.onefed.upgrade.status;

import java.time.Instant;
import java.util.List;

/**
 * The federation at one moment. {@code inSync}: every zone answered with the same FED_INDEX. {@code healthy}:
 * in sync, and every zone known to both the federation and the configuration, reachable, enabled, led (solo or
 * leader on its endpoint) and with every front-end reachable over SSH. {@code problems} says what is not.
 * {@code probedAt}: when the probe that found all this began (the API may serve one probe's answer for a few
 * seconds, see {@link SharedFederationStatus}).
 */
public record FederationStatus(String name, boolean healthy, boolean inSync, List<ZoneStatus> zones,
        List<String> problems, Instant probedAt) {

    public FederationStatus {
        zones = zones == null ? List.of() : List.copyOf(zones);
        problems = problems == null ? List.of() : List.copyOf(problems);
    }
}
