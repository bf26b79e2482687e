package io.onefed.upgrade.web;

import io.onefed.upgrade.process.ApprovalListener;
import org.camunda.bpm.engine.ProcessEngine;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Registers {@link TaskFormCheckFilter} on the engine REST API, after its authentication. */
@Configuration
public class TaskFormCheckConfiguration {

    @Bean
    FilterRegistrationBean<TaskFormCheckFilter> taskFormCheckFilter(ProcessEngine engine, ApprovalListener listener) {
        FilterRegistrationBean<TaskFormCheckFilter> registration = new FilterRegistrationBean<>(
                new TaskFormCheckFilter(engine.getTaskService(), engine.getIdentityService(), listener,
                        engine.getRuntimeService(), engine.getHistoryService()));
        registration.setName("onefed-task-form-check");
        // the engine REST API only: mapped onto the webapps' /camunda/api too, it broke their own filter chain
        // (500 on login); Tasklist shows the engine's refusal message as it is
        registration.addUrlPatterns("/engine-rest/*");
        registration.setOrder(Ordered.LOWEST_PRECEDENCE);
        return registration;
    }
}
