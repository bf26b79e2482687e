package io.onefed.upgrade.web;

import io.onefed.upgrade.process.UpgradeRuns;
import io.onefed.upgrade.status.StatusSettings;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.camunda.bpm.engine.ProcessEngine;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The upgrade reads' background threads (two: one upgrade runs at a time, and an ended one's read is quick), ended
 * with the application. Not an Executor bean: one in the context would replace Spring Boot's task executor.
 */
@Configuration(proxyBeanMethods = false)
class UpgradeReadBeans {

    @Bean(destroyMethod = "close")
    SharedUpgradeReads sharedUpgradeReads(UpgradeRuns runs, ProcessEngine engine, StatusSettings settings) {
        AtomicInteger n = new AtomicInteger();
        return new SharedUpgradeReads(runs::status, engine.getIdentityService(), settings.upgradeReadWait(),
                Executors.newFixedThreadPool(2, r -> {
                    Thread t = new Thread(r, "upgrade-read-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }));
    }
}
