package io.onefed.upgrade.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.camunda.bpm.engine.ProcessEngine;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/** The upgrade metrics on Micrometer's registry (exported on /actuator/prometheus). */
@Configuration
class MetricsBeans {

    @Bean
    UpgradeMetricsService upgradeMetricsService(ProcessEngine engine) {
        return new UpgradeMetricsService(engine.getHistoryService(), engine.getRuntimeService(), engine.getTaskService());
    }

    /** A MeterBinder bean: Spring Boot binds it to every registry. */
    @Bean(destroyMethod = "close")
    UpgradeMetricsBinder upgradeMetricsBinder(UpgradeMetricsService service, Clock clock,
            @Value("${onefed.metrics.refresh-interval:PT10S}") Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("onefed.metrics.refresh-interval: " + interval
                    + " must be positive, e.g. PT10S (how often the upgrade metrics are read from the engine)");
        }
        return new UpgradeMetricsBinder(service, clock, interval);
    }

    @Bean
    CommandDurations commandDurations(MeterRegistry registry) {
        return new CommandDurations(registry);
    }

    /** Refreshing starts once the engine serves requests (the application is ready). */
    @EventListener(ApplicationReadyEvent.class)
    void startRefreshing(ApplicationReadyEvent event) {
        event.getApplicationContext().getBean(UpgradeMetricsBinder.class).start();
    }
}
