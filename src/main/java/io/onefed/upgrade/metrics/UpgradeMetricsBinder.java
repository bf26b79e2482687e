package io.onefed.upgrade.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the upgrade gauges and refreshes their values on a schedule. Why a schedule and not a query per
 * scrape: a scrape (every 15 s, perhaps from two Prometheus replicas) then costs the engine nothing, and the
 * queries run at a fixed rate whatever scrapes; at 100 zones one refresh reads a few thousand rows in about ten
 * queries. A failed refresh keeps the last values and {@link UpgradeMetrics#REFRESH_AGE} shows how old they are.
 */
class UpgradeMetricsBinder implements MeterBinder, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UpgradeMetricsBinder.class);

    private final UpgradeMetricsService service;
    private final Clock clock;
    private final Duration interval;
    private volatile UpgradeMetricsService.Snapshot snapshot;
    private volatile MultiGauge zones;
    private ScheduledExecutorService scheduler;
    private boolean failing;

    UpgradeMetricsBinder(UpgradeMetricsService service, Clock clock, Duration interval) {
        this.service = service;
        this.clock = clock;
        this.interval = interval;
        this.snapshot = UpgradeMetricsService.Snapshot.empty(clock.instant());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String state : UpgradeMetrics.UPGRADE_STATES) {
            gauge(registry, UpgradeMetrics.UPGRADES, "Upgrades by state", null,
                    b -> b.snapshot.upgrades().getOrDefault(state, 0L), Tags.of(UpgradeMetrics.TAG_STATE, state));
        }
        gauge(registry, UpgradeMetrics.APPROVALS_WAITING, "Approval and decision tasks waiting", null,
                b -> b.snapshot.approvalsWaiting(), Tags.empty());
        gauge(registry, UpgradeMetrics.APPROVALS_OLDEST_AGE, "Age of the oldest waiting approval", "seconds",
                b -> b.snapshot.oldestApprovalAgeSeconds(), Tags.empty());
        gauge(registry, UpgradeMetrics.INCIDENTS_OPEN, "Open incidents of the upgrade processes", null,
                b -> b.snapshot.incidentsOpen(), Tags.empty());
        gauge(registry, UpgradeMetrics.LAST_API_FREEZE, "API freeze of the last upgrade", "seconds",
                b -> b.snapshot.lastApiFreezeSeconds(), Tags.empty());
        gauge(registry, UpgradeMetrics.LAST_API_FROZEN, "1 while the last upgrade runs with the API frozen", null,
                b -> b.snapshot.lastApiFrozen() ? 1 : 0, Tags.empty());
        gauge(registry, UpgradeMetrics.REFRESH_AGE, "Age of the upgrade metrics' values", "seconds",
                b -> Duration.between(b.snapshot.at(), b.clock.instant()).toMillis() / 1000.0, Tags.empty());
        zones = MultiGauge.builder(UpgradeMetrics.ZONES)
                .description("Zones of running upgrades by current step (BPMN element id) and state")
                .register(registry);
        publishZones();
    }

    private void gauge(MeterRegistry registry, String name, String description, String unit,
            ToDoubleFunction<UpgradeMetricsBinder> value, Tags tags) {
        Gauge.builder(name, this, value).description(description).baseUnit(unit).tags(tags).strongReference(true)
                .register(registry);
    }

    /** Starts the scheduled refresh (the first one at once); a second call changes nothing. */
    synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "upgrade-metrics");
            t.setDaemon(true);
            return t;
        });
        // fixed delay: a slow refresh (a busy database) delays the next one instead of piling them up
        scheduler.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void refresh() {
        try {
            snapshot = service.compute(clock.instant());
            publishZones();
            if (failing) {
                log.info("Upgrade metrics refreshed again");
                failing = false;
            }
        } catch (RuntimeException e) {
            // keep the last values; log once per failure streak, not every interval
            if (!failing) {
                log.warn("Upgrade metrics not refreshed (the last values stay, {} grows): {}",
                        UpgradeMetrics.REFRESH_AGE, e.toString());
                failing = true;
            }
        }
    }

    private void publishZones() {
        MultiGauge gauge = zones;
        if (gauge == null) {
            return;
        }
        List<MultiGauge.Row<?>> rows = snapshot.zones().entrySet().stream()
                .<MultiGauge.Row<?>>map(e -> MultiGauge.Row.of(Tags.of(UpgradeMetrics.TAG_STEP, e.getKey().step(),
                        UpgradeMetrics.TAG_STATE, e.getKey().state()), e.getValue()))
                .toList();
        // overwrite: a (step, state) no zone is in any more disappears instead of staying at its last count
        gauge.register(rows, true);
    }

    UpgradeMetricsService.Snapshot snapshot() {
        return snapshot;
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
