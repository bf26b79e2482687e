package io.onefed.upgrade.progress;

import io.onefed.upgrade.federation.FederationProperties;
import java.time.Clock;
import org.camunda.bpm.engine.ProcessEngine;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class ProgressBeans {

    @Bean
    ProgressService progressService(ProcessEngine engine, FederationProperties federation, Clock clock,
            @Value("${camunda.bpm.webapp.application-path:/camunda}") String webappPath) {
        return new ProgressService(engine.getHistoryService(), engine.getRuntimeService(), engine.getTaskService(),
                federation, webappPath.endsWith("/") ? webappPath.substring(0, webappPath.length() - 1) : webappPath,
                clock);
    }
}
