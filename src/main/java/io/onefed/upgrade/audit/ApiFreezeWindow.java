package io.onefed.upgrade.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When the federation's API was frozen during an upgrade, read from the activities of its
 * {@code federation-upgrade} instance: from the end of {@code BlockApiAccess} (zones disabled; or, before 6.2, the
 * operator's {@code ConfirmApiBlocked}) to the end of {@code EnableApiAccess} (or {@code ConfirmApiOpen}). Used by
 * the timeline (the shaded window) and the metrics (API-freeze seconds), so both say the same.
 */
public record ApiFreezeWindow(Instant start, Instant end) {

    /** The elements of bpmn/federation-upgrade.bpmn whose end blocks the API. */
    public static final List<String> BLOCKED_BY = List.of("BlockApiAccess", "ConfirmApiBlocked");
    /** The elements whose end opens it again. */
    public static final List<String> OPENED_BY = List.of("EnableApiAccess", "ConfirmApiOpen");

    /** One activity instance of the federation process, as the history has it ({@code end} null while it runs). */
    public record Activity(String activityId, Instant start, Instant end) {
    }

    /** {@code end} is null while the API is still frozen (not re-enabled by the upgrade). */
    public boolean frozen() {
        return end == null;
    }

    /**
     * How long the API was (or is) frozen: until {@code end}, or while frozen until {@code until} (now for a
     * running upgrade, its end for an upgrade that ended without re-enabling the API).
     */
    public Duration length(Instant until) {
        Instant to = end != null ? end : until;
        return to.isBefore(start) ? Duration.ZERO : Duration.between(start, to);
    }

    /** @return empty when the API was never blocked (yet) */
    public static Optional<ApiFreezeWindow> of(List<Activity> activities) {
        Instant start = null;
        for (Activity a : activities) {
            if (BLOCKED_BY.contains(a.activityId()) && a.end() != null && (start == null || a.end().isBefore(start))) {
                start = a.end(); // the first block: a retried stop does not restart the freeze
            }
        }
        if (start == null) {
            return Optional.empty();
        }
        Instant end = null;
        for (Activity a : activities) {
            if (OPENED_BY.contains(a.activityId()) && a.end() != null && !a.end().isBefore(start)
                    && (end == null || a.end().isAfter(end))) {
                end = a.end();
            }
        }
        return Optional.of(new ApiFreezeWindow(start, end));
    }
}
