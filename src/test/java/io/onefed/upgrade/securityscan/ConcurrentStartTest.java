package io.onefed.upgrade.securityscan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.onefed.upgrade.e2e.EndToEndSupport;
import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.process.ProcessSettings;
import io.onefed.upgrade.process.UpgradeLock;
import io.onefed.upgrade.process.UpgradeRuns;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Issue 12 point 3: two {@code POST /api/upgrades} at once (a client retry, two cluster nodes) on PostgreSQL.
 * Both requests are held at a barrier after the "is an upgrade running?" check and before the start, so both have
 * passed the check when either starts. With the old {@code UpgradeRuns.start} (check, then start, nothing guarding
 * the gap) both answered 201 and two upgrades ran; now the lock row lets exactly one start, the other gets 409.
 * The same lock is held by a suspended upgrade (the old check counted only active ones), freed by the instance's
 * end (here a deletion), and a holder whose instance no longer exists is taken over.
 */
class ConcurrentStartTest extends ServiceTestBase {

    static final AtomicReference<CyclicBarrier> BARRIER = new AtomicReference<>();

    /** The service's own UpgradeRuns, with the test's barrier in the gap between check and start. */
    @TestConfiguration
    static class HeldStarts {
        @Bean
        @Primary
        UpgradeRuns heldUpgradeRuns(ProcessEngine engine, FederationProperties zones, ProcessSettings settings, Clock clock,
                UpgradeLock lock) {
            return new UpgradeRuns(engine.getRuntimeService(), engine.getTaskService(), engine.getHistoryService(),
                    zones, settings, clock, lock, engine.getIdentityService()) {
                @Override
                protected void checked(String upgradeId) {
                    CyclicBarrier barrier = BARRIER.get();
                    if (barrier != null) {
                        try {
                            barrier.await(60, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new IllegalStateException("the other request never reached the barrier", e);
                        }
                    }
                }
            };
        }
    }

    @Autowired
    DataSource dataSource;

    @AfterEach
    void noUpgradeLeftRunning() {
        BARRIER.set(null);
        for (ProcessInstance pi : engine.getRuntimeService().createProcessInstanceQuery()
                .processDefinitionKey(UpgradeRuns.PROCESS_KEY).list()) {
            delete(pi.getId());
        }
    }

    @Test
    void twoConcurrentStartsPastTheCheckStartExactlyOneUpgradeTheOtherGets409() throws Exception {
        long before = upgradesStarted();
        BARRIER.set(new CyclicBarrier(2));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Answer> answers = new ArrayList<>();
        try {
            List<Future<Answer>> calls = new ArrayList<>();
            for (String user : List.of(EndToEndSupport.OPERATOR1, EndToEndSupport.OPERATOR2)) {
                calls.add(pool.submit(() -> json(user, "POST", "/api/upgrades",
                        "{\"targetVersion\": \"7.0.0\", \"maxParallelZones\": 5}")));
            }
            for (Future<Answer> f : calls) {
                answers.add(f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        BARRIER.set(null);

        assertThat(answers).extracting(Answer::status).as(answers.toString()).containsExactlyInAnyOrder(201, 409);
        Answer won = answers.stream().filter(a -> a.status() == 201).findFirst().orElseThrow();
        Answer lost = answers.stream().filter(a -> a.status() == 409).findFirst().orElseThrow();
        String winner = EndToEndSupport.JSON.readTree(won.body()).get("id").asText();
        assertThat(lost.body()).contains("upgrade " + winner + " is still running");
        assertThat(upgradesStarted()).as("exactly one upgrade started").isEqualTo(before + 1);
        assertThat(lockRow().get("UPGRADE_ID")).isEqualTo(winner);
    }

    @Test
    void aSuspendedUpgradeHoldsTheLockItsEndFreesItAndAStaleHolderIsTakenOver() throws Exception {
        String first = EndToEndSupport.JSON.readTree(startAs(EndToEndSupport.OPERATOR1, 201).body()).get("id").asText();
        String pid = instanceOf(first);
        engine.getRuntimeService().suspendProcessInstanceById(pid);
        // the old check counted active instances only: a suspended upgrade let a second one start
        assertThat(startAs(EndToEndSupport.OPERATOR2, 409).body()).contains(first);

        delete(pid);
        assertThat(lockRow().get("UPGRADE_ID")).as("freed by the instance's end").isNull();

        // a holder whose instance is gone (a crash, a table edited by hand): stale, taken over by the next start
        new JdbcTemplate(dataSource).update("UPDATE ONEFED_UPGRADE_LOCK SET UPGRADE_ID = 'U-crashed',"
                + " PROCESS_INSTANCE_ID = 'no-such-instance' WHERE LOCK_NAME = 'federation-upgrade'");
        String second = EndToEndSupport.JSON.readTree(startAs(EndToEndSupport.OPERATOR2, 201).body()).get("id").asText();
        assertThat(lockRow().get("UPGRADE_ID")).isEqualTo(second);
        assertThat(lockRow().get("PROCESS_INSTANCE_ID")).isEqualTo(instanceOf(second));
    }

    private Answer startAs(String user, int expected) {
        Answer a = json(user, "POST", "/api/upgrades", "{\"targetVersion\": \"7.0.0\", \"maxParallelZones\": 5}");
        assertThat(a.status()).as(a.toString()).isEqualTo(expected);
        return a;
    }

    private String instanceOf(String upgradeId) {
        return engine.getRuntimeService().createProcessInstanceQuery().processDefinitionKey(UpgradeRuns.PROCESS_KEY)
                .processInstanceBusinessKey(upgradeId).singleResult().getId();
    }

    private Map<String, Object> lockRow() {
        return new JdbcTemplate(dataSource).queryForMap("SELECT UPGRADE_ID, PROCESS_INSTANCE_ID FROM ONEFED_UPGRADE_LOCK"
                + " WHERE LOCK_NAME = 'federation-upgrade'");
    }

    /** A preflight job running meanwhile can make a deletion fail on optimistic locking: try again. */
    private void delete(String pid) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            if (engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(pid).count() > 0) {
                engine.getRuntimeService().deleteProcessInstance(pid, "test cleanup");
            }
            return engine.getRuntimeService().createProcessInstanceQuery().processInstanceId(pid).count() == 0;
        });
    }
}
