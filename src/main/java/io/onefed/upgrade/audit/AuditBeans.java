package io.onefed.upgrade.audit;

import java.time.Clock;
import org.camunda.bpm.engine.ProcessEngine;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;

@Configuration
public class AuditBeans {

    @Bean
    ReportService reportService(ProcessEngine engine, RefusalLog refusals) {
        return new ReportService(engine.getHistoryService(), engine.getTaskService(), refusals);
    }

    /** On the engine's DataSource, outside its transactions: a refusal is kept although the request rolled back. */
    @Bean(initMethod = "createIfMissing")
    RefusalLog refusalLog(javax.sql.DataSource dataSource, Clock clock) {
        return new RefusalLog(new JdbcTemplate(dataSource), clock);
    }

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    FilterRegistrationBean<RefusalRecordingFilter> refusalRecordingFilter(RefusalLog refusals) {
        FilterRegistrationBean<RefusalRecordingFilter> registration =
                new FilterRegistrationBean<>(new RefusalRecordingFilter(refusals));
        registration.setName("onefed-refusal-recording");
        registration.addUrlPatterns("/api/*", "/engine-rest/*", "/camunda/api/*");
        // outside Spring Security (-100) and Camunda's filters, so it sees whoever refused; inside the body limit
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }
}
