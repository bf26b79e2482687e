package io.onefed.upgrade.process;

import static io.onefed.upgrade.process.ProcessTestSupport.runJobs;
import static io.onefed.upgrade.process.ProcessTestSupport.startVariables;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import io.onefed.upgrade.steps.NodeHosts;
import io.onefed.upgrade.steps.PreflightService;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.mock.Mocks;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: the preflight reads every zone, which takes longer the larger the federation. It runs in the
 * background and each job waits one poll budget for it ("still reading" loops on RunPreflight), so no job holds
 * its lock for a whole preflight; the read runs once, and the upgrade goes on when it ends.
 */
class PreflightInBackgroundProcessTest extends ProcessTestBase {

    @Test
    void aPreflightLongerThanAPollIsPolledByShortJobsAndReadOnce() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        ProcessTestSupport.register(fed);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger reads = new AtomicInteger();
        PreflightService slow = new PreflightService(fed.properties, fed, fed, 1024) {
            @Override
            public Result run(String targetVersion, int rechecksLeft) {
                reads.incrementAndGet();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.run(targetVersion, rechecksLeft);
            }
        };
        Mocks.register("runPreflightDelegate", new RunPreflightDelegate(slow, new NodeHosts(fed.properties, fed),
                Duration.ofMillis(50)));
        Map<String, Object> vars = startVariables(fed, "7.0.0", 5);
        ProcessInstance pi = engine.getRuntimeService().startProcessInstanceByKey("federation-upgrade",
                (String) vars.get("upgradeId"), vars);

        for (int poll = 0; poll < 3; poll++) {
            Job job = engine.getManagementService().createJobQuery().processInstanceId(pi.getId()).singleResult();
            long t0 = System.nanoTime();
            engine.getManagementService().executeJob(job.getId());
            assertThat((System.nanoTime() - t0) / 1_000_000).as("a poll job returns after its wait").isLessThan(5_000);
            assertThat(pi).isWaitingAt("RunPreflight");
            assertThat(engine.getRuntimeService().getVariable(pi.getId(), "preflightRunning")).isEqualTo(true);
        }
        release.countDown();
        runJobs(engine);

        assertThat(pi).isWaitingAt("ApproveStart");
        assertThat(reads).as("every poll waited for the same read").hasValue(1);
        assertThat(engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(pi.getId())
                .activityId("RunPreflight").count()).as("one job per poll").isGreaterThanOrEqualTo(4);
        assertThat(engine.getRuntimeService().getVariable(pi.getId(), "preflightVerdict")).isEqualTo("OK");
    }
}
