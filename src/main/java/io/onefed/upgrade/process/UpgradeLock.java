package io.onefed.upgrade.process;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * "One upgrade at a time" as a row the database guards, so it holds across threads, retries and cluster nodes:
 * table {@code ONEFED_UPGRADE_LOCK} (the service's own, created at start, H2 and PostgreSQL alike) has one row,
 * {@code LOCK_NAME = 'federation-upgrade'}. Starting an upgrade locks that row ({@code SELECT ... FOR UPDATE}: a
 * second starter waits for the first one's commit), refuses when it names a live upgrade, and writes the new
 * upgrade into it in the same transaction as the engine's start of the process instance: both commit, or
 * neither. The row is cleared when the instance ends (completed, aborted, rejected, deleted: see
 * {@link ReleaseListener}); a suspended upgrade keeps it. A holder whose process instance no longer exists (a crash,
 * a deletion that skipped the listeners) is stale and taken over.
 * <p>Liveness is read from the engine's table {@code ACT_RU_EXECUTION} in SQL, not a process instance query: a
 * query runs with the caller's engine authorizations, and an instance the caller may not see must still count.
 */
public class UpgradeLock {

    private static final Logger log = LoggerFactory.getLogger(UpgradeLock.class);

    static final String TABLE = "ONEFED_UPGRADE_LOCK";
    static final String NAME = "federation-upgrade";

    /** Who holds the lock: an upgrade id and its process instance (both null when free). */
    public record Holder(String upgradeId, String processInstanceId, String lockedBy) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Clock clock;

    public UpgradeLock(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.clock = clock;
    }

    /** Creates the table and its one row if missing; every node does it at start, so races are expected. */
    public void createIfMissing() {
        try {
            jdbc.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (LOCK_NAME VARCHAR(64) NOT NULL PRIMARY KEY,"
                    + " UPGRADE_ID VARCHAR(64), PROCESS_INSTANCE_ID VARCHAR(64), LOCKED_BY VARCHAR(255),"
                    + " LOCKED_AT TIMESTAMP)");
        } catch (org.springframework.dao.DataAccessException e) {
            // PostgreSQL: two nodes creating it at the same instant, one fails on its catalog's unique index;
            // the table is there then (the query below fails loudly if it is not)
            log.debug("creating {} failed, checking whether another node created it: {}", TABLE, e.getMessage());
        }
        Integer rows = jdbc.queryForObject("SELECT COUNT(*) FROM " + TABLE + " WHERE LOCK_NAME = ?", Integer.class, NAME);
        if (rows == null || rows == 0) {
            try {
                jdbc.update("INSERT INTO " + TABLE + " (LOCK_NAME) VALUES (?)", NAME);
            } catch (DataIntegrityViolationException e) {
                // another node inserted it meanwhile: the primary key kept it to one row
            }
        }
    }

    /** The live holder, or null: a stale holder (its instance gone) counts as free. No lock taken. */
    public Holder liveHolder() {
        Holder h = read("");
        return h.upgradeId() != null && alive(h.processInstanceId()) ? h : null;
    }

    /**
     * Runs {@code start} (which starts the process instance and returns its id) with the lock row locked, in one
     * transaction with the engine's start.
     *
     * @throws UpgradeRuns.UpgradeRunningException when a live upgrade holds the lock
     */
    public String startExclusively(String upgradeId, String startedBy, Supplier<String> start) {
        return tx.execute(status -> {
            Holder h = read(" FOR UPDATE");
            if (h.upgradeId() != null) {
                if (alive(h.processInstanceId())) {
                    throw new UpgradeRuns.UpgradeRunningException("upgrade " + h.upgradeId() + " is still running"
                            + " (started by " + h.lockedBy() + "): finish or cancel it before starting another one");
                }
                log.warn("upgrade {} holds the upgrade lock but its process instance {} no longer exists: released",
                        h.upgradeId(), h.processInstanceId());
            }
            String processInstanceId = start.get();
            int updated = jdbc.update("UPDATE " + TABLE + " SET UPGRADE_ID = ?, PROCESS_INSTANCE_ID = ?, LOCKED_BY = ?,"
                    + " LOCKED_AT = ? WHERE LOCK_NAME = ?", upgradeId, processInstanceId, startedBy,
                    Timestamp.from(clock.instant()), NAME);
            if (updated != 1) {
                throw new IllegalStateException(TABLE + " lost its row '" + NAME + "': restart the service to"
                        + " recreate it");
            }
            return processInstanceId;
        });
    }

    /** Frees the lock if {@code processInstanceId} holds it; in the caller's transaction (the instance's end). */
    public void release(String processInstanceId) {
        int n = jdbc.update("UPDATE " + TABLE + " SET UPGRADE_ID = NULL, PROCESS_INSTANCE_ID = NULL, LOCKED_BY = NULL,"
                + " LOCKED_AT = NULL WHERE LOCK_NAME = ? AND PROCESS_INSTANCE_ID = ?", NAME, processInstanceId);
        if (n == 1) {
            log.info("upgrade lock released by the end of process instance {}", processInstanceId);
        }
    }

    private Holder read(String suffix) {
        Map<String, Object> row = jdbc.queryForMap("SELECT UPGRADE_ID, PROCESS_INSTANCE_ID, LOCKED_BY FROM " + TABLE
                + " WHERE LOCK_NAME = ?" + suffix, NAME);
        return new Holder((String) row.get("UPGRADE_ID"), (String) row.get("PROCESS_INSTANCE_ID"),
                (String) row.get("LOCKED_BY"));
    }

    private boolean alive(String processInstanceId) {
        if (processInstanceId == null) {
            return false;
        }
        Integer n = jdbc.queryForObject("SELECT COUNT(*) FROM ACT_RU_EXECUTION WHERE ID_ = ? AND PROC_INST_ID_ = ?",
                Integer.class, processInstanceId, processInstanceId);
        return n != null && n > 0;
    }

    /**
     * Frees the lock when a {@code federation-upgrade} instance ends, however it ends: added by a parse listener as a
     * built-in listener of the process, so it also runs for deletions that skip custom listeners (Cockpit's cancel).
     */
    public static final class ReleaseListener implements org.camunda.bpm.engine.delegate.ExecutionListener {
        private final Supplier<UpgradeLock> lock;

        public ReleaseListener(Supplier<UpgradeLock> lock) {
            this.lock = lock;
        }

        @Override
        public void notify(org.camunda.bpm.engine.delegate.DelegateExecution execution) {
            // the process instance's own end, not that of a scope inside it
            if (execution.getId().equals(execution.getProcessInstanceId())) {
                lock.get().release(execution.getProcessInstanceId());
            }
        }
    }
}
