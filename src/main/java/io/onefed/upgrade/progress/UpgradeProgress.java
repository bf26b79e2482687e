package io.onefed.upgrade.progress;

import java.time.Instant;
import java.util.List;

/**
 * Where one upgrade stands, zone by zone: what the live page ({@code /upgrades/{id}}), its JSON
 * ({@code GET /api/upgrades/{id}/progress}) and {@code follow} show. {@code state} is the upgrade's state as
 * {@code GET /api/upgrades/{id}} names it (running, waiting for approval, incident, completed, rejected, aborted).
 * Links are paths on this service (the Camunda webapps), so they work behind any host name.
 */
public record UpgradeProgress(String upgradeId, String state, String outcome, String fromVersion,
        String targetVersion, String currentStep, Instant started, Instant ended, long elapsedSeconds,
        /** false until the plan is rendered (after the preflight): the zones' step lists come from it. */
        boolean planKnown, List<Zone> zones, List<Approval> approvals, List<IncidentLink> incidents,
        Instant generated) {

    /** The states a zone row shows, each with its colour on the page. */
    public enum ZoneState {
        /** Nothing of the zone runs now and it is not finished (before its stop, or between stop and upgrade). */
        WAITING,
        RUNNING,
        /** An open incident, or a failed step waiting for an operator's decision. */
        FAILED,
        DONE,
        /** Its step was aborted, or the upgrade ended before the zone was upgraded. */
        ABORTED,
        /**
         * Restored to the version it ran before. Never reported yet: the rollback comes with issue 14; the value is
         * kept so pages and scripts already know it.
         */
        ROLLED_BACK
    }

    /**
     * One row. {@code stepsDone}/{@code stepsTotal}: the zone's steps from the approved plan (0 total while the
     * plan is not rendered yet); {@code currentStep}: what runs (or waits) for it now, in words, null when nothing.
     */
    public record Zone(int zoneId, String zoneName, boolean master, ZoneState state, String currentStep,
            int stepsDone, int stepsTotal, Instant started, Instant ended, long elapsedSeconds,
            List<Approval> approvals, List<IncidentLink> incidents) {
    }

    /** A pending user task; {@code link} opens it in Tasklist. {@code zone} is null for the federation's own. */
    public record Approval(String taskId, String name, String zone, Instant created, String link) {
    }

    /** An open incident (the failed job's own); {@code link} opens its process instance in Cockpit. */
    public record IncidentLink(String id, String zone, String activityId, String message, String processInstanceId,
            Instant created, String link) {
    }
}
