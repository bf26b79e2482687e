package io.onefed.upgrade.metrics;

import java.util.List;

/**
 * The names and labels of the upgrade metrics, as Micrometer registers them and as Prometheus shows them
 * ({@code /actuator/prometheus}: dots become underscores, a base unit of seconds adds {@code _seconds}). The Grafana
 * dashboard (docker/grafana) queries exactly {@link #PROMETHEUS_NAMES}; the compose consistency test checks it.
 * No label carries an upgrade id, a zone name, a host name or any command text: every label value comes from a
 * fixed list (the states below, the BPMN element ids, the step ids of {@code steps.ZoneStep}).
 */
public final class UpgradeMetrics {

    /** Gauge, label {@code state}: how many upgrades are in each of {@link #UPGRADE_STATES}. */
    public static final String UPGRADES = "onefed.upgrades";
    /** Gauge, labels {@code step} (BPMN element id) and {@code state} (one of {@link #ZONE_STATES}): zones of running upgrades. */
    public static final String ZONES = "onefed.upgrade.zones";
    /** Timer (histogram), labels {@code step} (a step id such as {@code upgrade-packages}) and {@code outcome}. */
    public static final String COMMAND_DURATION = "onefed.remote.command.duration";
    /** Gauge: approval and decision tasks waiting for an operator. */
    public static final String APPROVALS_WAITING = "onefed.approvals.waiting";
    /** Gauge, seconds: how long the oldest waiting approval has waited (0 when none waits). */
    public static final String APPROVALS_OLDEST_AGE = "onefed.approvals.oldest.age";
    /** Gauge: open incidents (failed jobs an operator must retry or resolve; not the copies on the calling activities). */
    public static final String INCIDENTS_OPEN = "onefed.incidents.open";
    /** Gauge, seconds: how long the last upgrade has kept the federation's API frozen (growing while it is). */
    public static final String LAST_API_FREEZE = "onefed.last.upgrade.api.freeze";
    /** Gauge: 1 while the last upgrade runs with the API frozen, else 0. */
    public static final String LAST_API_FROZEN = "onefed.last.upgrade.api.frozen";
    /** Gauge, seconds: age of the values above (they are refreshed on a schedule, not per scrape). */
    public static final String REFRESH_AGE = "onefed.metrics.refresh.age";

    public static final String TAG_STATE = "state";
    public static final String TAG_STEP = "step";
    public static final String TAG_OUTCOME = "outcome";

    /** Values of {@code state} of {@link #UPGRADES}; a running upgrade is in one of the first three. */
    public static final List<String> UPGRADE_STATES =
            List.of("running", "waiting_for_approval", "incident", "completed", "aborted", "rejected");
    /** Values of {@code state} of {@link #ZONES}. */
    public static final List<String> ZONE_STATES = List.of("running", "waiting_for_approval", "incident", "done", "aborted");
    /** Values of {@code outcome} of {@link #COMMAND_DURATION}. */
    public static final List<String> OUTCOMES = List.of("succeeded", "failed");

    /** Every name the service exports to Prometheus (a histogram as its series). */
    public static final List<String> PROMETHEUS_NAMES = List.of(
            "onefed_upgrades",
            "onefed_upgrade_zones",
            "onefed_remote_command_duration_seconds_bucket",
            "onefed_remote_command_duration_seconds_count",
            "onefed_remote_command_duration_seconds_sum",
            "onefed_remote_command_duration_seconds_max",
            "onefed_approvals_waiting",
            "onefed_approvals_oldest_age_seconds",
            "onefed_incidents_open",
            "onefed_last_upgrade_api_freeze_seconds",
            "onefed_last_upgrade_api_frozen",
            "onefed_metrics_refresh_age_seconds",
            // how long the job executor held its jobs (ops.JobRunTimes): must stay under half the job lock time
            "onefed_job_hold_seconds_count",
            "onefed_job_hold_seconds_sum",
            "onefed_job_hold_seconds_max",
            "onefed_job_hold_longest_seconds");

    private UpgradeMetrics() {
    }
}
