package io.onefed.upgrade.web;

import io.onefed.upgrade.process.UpgradeRuns;
import io.onefed.upgrade.progress.ProgressService;
import io.onefed.upgrade.progress.UpgradeProgress;
import io.onefed.upgrade.status.FederationStatusService;
import io.onefed.upgrade.status.StatusSettings;
import java.util.concurrent.Executors;
import org.camunda.bpm.engine.ProcessEngine;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The shared upgrade reads (SharedReads), each on two background threads of its own (one upgrade runs at a time,
 * and an ended one's read is quick), ended with the application. Not Executor beans: one in the context would replace
 * Spring Boot's task executor.
 */
@Configuration(proxyBeanMethods = false)
class UpgradeReadBeans {

    @Bean(destroyMethod = "close")
    SharedReads<UpgradeRuns.Status> sharedStatusReads(UpgradeRuns runs, ProcessEngine engine, StatusSettings settings) {
        return new SharedReads<>(runs::status, engine.getIdentityService(), settings.upgradeReadWait(),
                threads("upgrade-read"));
    }

    @Bean(destroyMethod = "close")
    SharedReads<UpgradeProgress> sharedProgressReads(ProgressService progress, ProcessEngine engine,
            StatusSettings settings) {
        return new SharedReads<>(progress::progress, engine.getIdentityService(), settings.upgradeReadWait(),
                threads("progress-read"));
    }

    private static java.util.concurrent.ExecutorService threads(String name) {
        return Executors.newFixedThreadPool(2, FederationStatusService.daemonThreads(name));
    }
}
