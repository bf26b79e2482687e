package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The lock row on H2 (the embedded default; PostgreSQL and two concurrent starts: ConcurrentStartTest). The
 * engine's ACT_RU_EXECUTION is stood in for by a table of the same name, so "alive" means what it means there.
 */
class UpgradeLockTest {

    JdbcTemplate jdbc;
    UpgradeLock lock;

    @BeforeEach
    void database() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:lock-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        jdbc = new JdbcTemplate(ds);
        jdbc.execute("CREATE TABLE ACT_RU_EXECUTION (ID_ VARCHAR(64) PRIMARY KEY, PROC_INST_ID_ VARCHAR(64))");
        lock = new UpgradeLock(jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds)), Clock.systemUTC());
        lock.createIfMissing();
        lock.createIfMissing(); // every node at every start
    }

    private String startInstance(String pid) {
        jdbc.update("INSERT INTO ACT_RU_EXECUTION VALUES (?, ?)", pid, pid);
        return pid;
    }

    @Test
    void heldUntilTheInstanceEndsThenFree() {
        assertThat(lock.startExclusively("U1", "op1", () -> startInstance("p1"))).isEqualTo("p1");
        assertThat(lock.liveHolder()).isEqualTo(new UpgradeLock.Holder("U1", "p1", "op1"));
        assertThatThrownBy(() -> lock.startExclusively("U2", "op2", () -> startInstance("p2")))
                .isInstanceOf(UpgradeRuns.UpgradeRunningException.class).hasMessageContaining("upgrade U1 is still running");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ACT_RU_EXECUTION", Integer.class)).as("p2 never started")
                .isEqualTo(1);
        lock.release("p-other");
        assertThat(lock.liveHolder()).as("only its holder frees it").isNotNull();
        lock.release("p1");
        assertThat(lock.liveHolder()).isNull();
        assertThat(lock.startExclusively("U2", "op2", () -> startInstance("p2"))).isEqualTo("p2");
    }

    @Test
    void aStaleHolderIsTakenOverAndAFailedStartHoldsNothing() {
        lock.startExclusively("U1", "op1", () -> startInstance("p1"));
        jdbc.update("DELETE FROM ACT_RU_EXECUTION"); // the instance vanished without its end listener
        assertThat(lock.liveHolder()).isNull();
        assertThatThrownBy(() -> lock.startExclusively("U2", "op2", () -> {
            startInstance("p2");
            throw new IllegalStateException("engine refused the start");
        })).hasMessageContaining("engine refused");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ACT_RU_EXECUTION", Integer.class)).as("rolled back")
                .isZero();
        assertThat(lock.startExclusively("U3", "op3", () -> startInstance("p3"))).isEqualTo("p3");
        assertThat(lock.liveHolder().upgradeId()).isEqualTo("U3");
    }
}
