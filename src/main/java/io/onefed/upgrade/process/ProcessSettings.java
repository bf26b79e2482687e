package io.onefed.upgrade.process;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Timings of the upgrade processes ({@code onefed.process.*}). Each has a reason:
 * <ul>
 * <li>{@code retryCycle}: technical failures (lost SSH connection, zone API timeout) are retried this way before
 * they become an incident an operator retries from Cockpit;</li>
 * <li>{@code stepPollBudget}: how long one job long-polls a remote command; a poll job's remote work stays under
 * 1.5 budgets of its lock (starts stop at the budget, a start is abandoned at half a budget more, 3 s at least),
 * leaving the engine's commit time within half the job lock time (20 s), so no job is ever taken over by another
 * thread or node while it waits;</li>
 * <li>{@code stepTimeout}: when a remote command still runs after this long, an operator decides (wait longer,
 * retry, abort) instead of the process waiting forever;</li>
 * <li>{@code apiPollInterval}/{@code apiDeadline}: how often and how long to wait for a restarted oned;</li>
 * <li>{@code fedIndexRecheckInterval}/{@code fedIndexRechecks}: a lagging FED_INDEX often catches up by itself, so
 * the preflight looks again a few times before asking an operator;</li>
 * <li>{@code minBackupSpaceMb}: free space each front-end needs where backups go.</li>
 * </ul>
 */
@ConfigurationProperties(prefix = "onefed.process")
public record ProcessSettings(String retryCycle, Duration stepPollBudget, Duration stepTimeout,
        Duration apiPollInterval, Duration apiDeadline, Duration fedIndexRecheckInterval, Integer fedIndexRechecks,
        Long minBackupSpaceMb, Integer defaultMaxParallelZones) {

    public ProcessSettings {
        retryCycle = retryCycle == null ? "R3/PT30S" : retryCycle;
        stepPollBudget = stepPollBudget == null ? Duration.ofSeconds(4) : stepPollBudget;
        stepTimeout = stepTimeout == null ? Duration.ofHours(2) : stepTimeout;
        apiPollInterval = apiPollInterval == null ? Duration.ofSeconds(5) : apiPollInterval;
        apiDeadline = apiDeadline == null ? Duration.ofMinutes(10) : apiDeadline;
        fedIndexRecheckInterval = fedIndexRecheckInterval == null ? Duration.ofSeconds(30) : fedIndexRecheckInterval;
        fedIndexRechecks = fedIndexRechecks == null ? 5 : fedIndexRechecks;
        minBackupSpaceMb = minBackupSpaceMb == null ? 1024L : minBackupSpaceMb;
        defaultMaxParallelZones = defaultMaxParallelZones == null ? 10 : defaultMaxParallelZones;
    }

    public static ProcessSettings defaults() {
        return new ProcessSettings(null, null, null, null, null, null, null, null, null);
    }
}
