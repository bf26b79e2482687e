package io.onefed.upgrade.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.security.SecuredAppTestBase;
import io.onefed.upgrade.steps.JobLock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Issue 15: the step polls count their budget from the lock of the job that runs them. Here the application's
 * {@link JobLock} is asked from a delegate the job executor runs (an asynchronous task, lock time 20 s), and from
 * one that runs in the caller's thread (no job, no lock).
 */
class EngineJobLockTest extends SecuredAppTestBase {

    static final List<Optional<Instant>> SEEN = new CopyOnWriteArrayList<>();
    static volatile JobLock lock;

    /** Asks the application's JobLock, as the step poll does. */
    public static class AskTheLock implements JavaDelegate {
        @Override
        public void execute(DelegateExecution execution) {
            SEEN.add(lock.lockedAt());
        }
    }

    @Autowired JobLock jobLock;
    @Autowired RuntimeService runtime;

    @BeforeEach
    void deploy() {
        lock = jobLock;
        SEEN.clear();
        repository.createDeployment().name("onefed-job-lock-test").enableDuplicateFiltering(true)
                .addModelInstance("job-lock.bpmn", Bpmn.createExecutableProcess("onefed-job-lock")
                        .camundaHistoryTimeToLive(1)
                        .startEvent()
                        .serviceTask("inCaller").name("In the caller's thread").camundaClass(AskTheLock.class)
                        .serviceTask("inJob").name("In a job").camundaAsyncBefore().camundaClass(AskTheLock.class)
                        .endEvent().done())
                .deploy();
    }

    @Test
    void aDelegateRunByTheJobExecutorSeesWhenItsJobWasLockedAndOneOutsideAJobSeesNone() {
        Instant before = Instant.now();
        runtime.startProcessInstanceByKey("onefed-job-lock");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> SEEN.size() == 2);
        Instant after = Instant.now();

        assertThat(SEEN.get(0)).as("run by startProcessInstance: no job").isEmpty();
        assertThat(SEEN.get(1)).as("run by the job executor").isPresent();
        // it can fail: were the lock read as the expiry itself (or the lock time wrong), it would lie 20 s ahead
        Instant lockedAt = SEEN.get(1).orElseThrow();
        assertThat(lockedAt).as("locked once the instance waited at the task, not a lock time off")
                .isBetween(before.minusMillis(50), after);
    }

    @Test
    void theLockIsTheExpiryLessTheLockTime() {
        Date expiry = Date.from(Instant.parse("2026-12-02T06:00:20Z"));

        assertThat(EngineJobLock.lockedAt(expiry, Duration.ofSeconds(20))).isEqualTo(Instant.parse("2026-12-02T06:00:00Z"));
    }
}
