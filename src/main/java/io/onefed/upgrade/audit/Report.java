package io.onefed.upgrade.audit;

import java.time.Instant;
import java.util.List;

/**
 * What happened in one upgrade, from the engine's history: who started and approved it, on which plan, every
 * step per zone with its timing, retries and incidents, every remote command with its output, the backups and
 * the versions before and after. Works for running upgrades (progress so far). Carries no secret: commands are
 * rendered without secrets, and no credential is ever a process variable.
 */
public record Report(String upgradeId, String processInstanceId, String state, String startedBy, Instant started,
        Instant ended, String fromVersion, String targetVersion, List<ZoneVersion> versionsAfter, String outcome,
        String outcomeDetail, String approvedPlanHash, String preflightSummary, String postChecksSummary,
        List<Approval> approvals, List<Step> timeline, List<Incident> incidents, List<Command> commands,
        List<Backup> backups, Instant generated,
        /** Hypervisor hosts an operator skipped in a zone's node upgrade: they stay disabled. */
        List<SkippedHost> skippedHosts,
        /** Requests refused while the upgrade ran (403s, completions the approval rules refused): attempts. */
        List<RefusalLog.Refusal> refusedRequests) {

    public Report(String upgradeId, String processInstanceId, String state, String startedBy, Instant started,
            Instant ended, String fromVersion, String targetVersion, List<ZoneVersion> versionsAfter, String outcome,
            String outcomeDetail, String approvedPlanHash, String preflightSummary, String postChecksSummary,
            List<Approval> approvals, List<Step> timeline, List<Incident> incidents, List<Command> commands,
            List<Backup> backups, Instant generated, List<SkippedHost> skippedHosts) {
        this(upgradeId, processInstanceId, state, startedBy, started, ended, fromVersion, targetVersion, versionsAfter,
                outcome, outcomeDetail, approvedPlanHash, preflightSummary, postChecksSummary, approvals, timeline,
                incidents, commands, backups, generated, skippedHosts, List.of());
    }

    public Report(String upgradeId, String processInstanceId, String state, String startedBy, Instant started,
            Instant ended, String fromVersion, String targetVersion, List<ZoneVersion> versionsAfter, String outcome,
            String outcomeDetail, String approvedPlanHash, String preflightSummary, String postChecksSummary,
            List<Approval> approvals, List<Step> timeline, List<Incident> incidents, List<Command> commands,
            List<Backup> backups, Instant generated) {
        this(upgradeId, processInstanceId, state, startedBy, started, ended, fromVersion, targetVersion, versionsAfter,
                outcome, outcomeDetail, approvedPlanHash, preflightSummary, postChecksSummary, approvals, timeline,
                incidents, commands, backups, generated, List.of());
    }

    /** The same report with these commands (the streamed report carries none: they are written one by one). */
    public Report withCommands(List<Command> list) {
        return new Report(upgradeId, processInstanceId, state, startedBy, started, ended, fromVersion, targetVersion,
                versionsAfter, outcome, outcomeDetail, approvedPlanHash, preflightSummary, postChecksSummary, approvals,
                timeline, incidents, list, backups, generated, skippedHosts, refusedRequests);
    }

    /** A host left out of the node upgrade by an operator's "skip" (see the approvals for who and why). */
    public record SkippedHost(int zoneId, int hostId) {
    }

    public record ZoneVersion(String zone, String version) {
    }

    /** One decision task: {@code decision} is null while it waits. */
    public record Approval(String taskKey, String task, String zone, Instant created, Instant decidedAt,
            String decidedBy, String decision, String comment, String planHash) {
    }

    /** One activity of the federation, zone or stop processes; {@code failedAttempts}: job failures before it ran. */
    public record Step(String zone, String process, String activityId, String name, String type, Instant start,
            Instant end, Long durationMs, boolean canceled, int failedAttempts) {
    }

    /** An incident, open or resolved, and who retried the failed job (from the user operation log). */
    public record Incident(String zone, String activityId, String message, Instant created, Instant ended,
            String state, List<String> retriedBy) {
    }

    /**
     * {@code truncated}: the command printed more than the capture keeps (the full output stays on the host, in
     * the run directory of {@code key}; the digest covers all of it). {@code outputCut}: this report shows only the
     * last part of the kept output; {@code GET /api/upgrades/{id}/commands/{key}/output} gives all of it.
     */
    public record Command(String zone, String step, String server, String host, String command, String key,
            String state, Integer exitStatus, Instant started, Instant finished, Long durationMs,
            String outputSha256, boolean truncated, String stdout, String stderr, boolean outputCut) {
    }

    public record Backup(String zone, String kind, String path, String sha256) {
    }
}
