package io.onefed.upgrade.ops;

import java.time.Duration;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Times every batch the job executor runs ({@link JobRunTimes}) by decorating the Camunda starter's pool
 * ({@code camundaTaskExecutor}, a Spring {@link ThreadPoolTaskExecutor}) before it is initialized: public Spring
 * API, nothing of the engine's internals.
 */
@Configuration
class JobRunTimesConfiguration {

    static final String CAMUNDA_TASK_EXECUTOR = "camundaTaskExecutor";

    @Bean
    JobRunTimes jobRunTimes(@Value("${camunda.bpm.job-execution.lock-time-in-millis:300000}") long lockTimeMillis) {
        return new JobRunTimes(Duration.ofMillis(lockTimeMillis));
    }

    /** Static: a post-processor is created before the other beans; the timer is looked up when the pool is. */
    @Bean
    static BeanPostProcessor jobRunTimesDecorator(ObjectProvider<JobRunTimes> times) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) throws BeansException {
                if (CAMUNDA_TASK_EXECUTOR.equals(name) && bean instanceof ThreadPoolTaskExecutor pool) {
                    pool.setTaskDecorator(times.getObject());
                }
                return bean;
            }
        };
    }
}
