package io.onefed.upgrade.web;

import io.onefed.upgrade.process.ApprovalListener;
import org.camunda.bpm.engine.ProcessEngine;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** Registers {@link TaskFormCheckFilter} on the engine REST API and the webapps' API, after authentication. */
@Configuration
public class TaskFormCheckConfiguration {

    @Bean
    FilterRegistrationBean<TaskFormCheckFilter> taskFormCheckFilter(ProcessEngine engine, ApprovalListener listener) {
        FilterRegistrationBean<TaskFormCheckFilter> registration = new FilterRegistrationBean<>(
                new TaskFormCheckFilter(engine.getTaskService(), engine.getIdentityService(), listener));
        registration.setName("onefed-task-form-check");
        registration.addUrlPatterns("/engine-rest/*", "/camunda/api/*");
        registration.setOrder(Ordered.LOWEST_PRECEDENCE);
        return registration;
    }
}
