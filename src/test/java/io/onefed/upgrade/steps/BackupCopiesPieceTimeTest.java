package io.onefed.upgrade.steps;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: at 100 slaves the federated backup's copies become due together and some jobs wait for a thread
 * before they run; a piece's time counts from its job's lock, so such a job still ends within its bound.
 */
class BackupCopiesPieceTimeTest {

    static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    static final Duration PIECE = Duration.ofSeconds(4);

    static BackupCopies copies(JobLock lock) {
        return new BackupCopies(null, null, PIECE, 1024, lock, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void aPieceHasItsTimeFromTheJobsLock() {
        assertThat(copies(() -> Optional.of(NOW.minusMillis(1500))).pieceTime()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void aJobThatWaitedPastItsPieceTimeStillGetsASecond() {
        assertThat(copies(() -> Optional.of(NOW.minusSeconds(9))).pieceTime()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void withoutAJobOrWithALockAheadOfThisClockThePieceCountsFromNow() {
        assertThat(copies(JobLock.NONE).pieceTime()).isEqualTo(PIECE);
        // another node's clock ahead of this one: counted from now, not cut short
        assertThat(copies(() -> Optional.of(NOW.plusSeconds(2))).pieceTime()).isEqualTo(PIECE);
    }
}
