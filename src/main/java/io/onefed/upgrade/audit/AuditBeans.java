package io.onefed.upgrade.audit;

import org.camunda.bpm.engine.ProcessEngine;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
public class AuditBeans {

    @Bean
    ReportService reportService(ProcessEngine engine) {
        return new ReportService(engine.getHistoryService());
    }
}
