package io.onefed.upgrade.steps;

/** What a zone answered when read (preflight, post-checks, status): one row of the zone table. */
public record ZoneReading(int id, String name, String role, String endpoint, boolean reachable, String version,
        String state, String raftState, String fedIndex, String leader, String error) {
}
