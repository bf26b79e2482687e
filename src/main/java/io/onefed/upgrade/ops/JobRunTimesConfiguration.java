package io.onefed.upgrade.ops;

import io.onefed.upgrade.steps.JobLock;
import java.time.Duration;
import org.camunda.bpm.engine.impl.cfg.ProcessEnginePlugin;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Times every job from its lock to its commit ({@link JobRunTimes}, fed by the {@link JobLockTimer} plugin), and
 * tells the step polls when their job took its lock ({@link EngineJobLock}).
 */
@Configuration
class JobRunTimesConfiguration {

    @Bean
    JobRunTimes jobRunTimes(@Value("${camunda.bpm.job-execution.lock-time-in-millis:300000}") long lockTimeMillis) {
        return new JobRunTimes(Duration.ofMillis(lockTimeMillis));
    }

    /** When the current job took its lock: the step polls' budgets count from it (package steps). */
    @Bean
    JobLock jobLock(JobRunTimes times) {
        return new EngineJobLock(times.lockTime());
    }

    /** The Camunda starter applies every {@link ProcessEnginePlugin} bean to the engine's configuration. */
    @Bean
    ProcessEnginePlugin jobLockTimer(JobRunTimes times) {
        return new JobLockTimer(times);
    }
}
