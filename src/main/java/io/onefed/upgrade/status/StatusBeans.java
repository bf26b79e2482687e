package io.onefed.upgrade.status;

import java.time.Clock;
import java.util.concurrent.Executors;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The status API's shared probe, run on a background thread of its own (not an Executor bean: one in the context
 * would replace Spring Boot's application task executor), ended with the application.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(StatusSettings.class)
class StatusBeans {

    @Bean(destroyMethod = "close")
    SharedFederationStatus sharedFederationStatus(FederationStatusService service, StatusSettings settings) {
        return new SharedFederationStatus(service::status, settings, Clock.systemUTC(),
                Executors.newSingleThreadExecutor(FederationStatusService.daemonThreads("federation-status-refresh")));
    }
}
