package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * {@link Attempts}: the attempt number is part of every idempotency key, so raising it is the one way a command runs
 * again. These would fail if "wait" (or any value but "retry") started a new attempt: a second run of a command that
 * may still be running.
 */
class AttemptsTest {

    @Test
    void onlyRetryRaisesTheStepAttempt() {
        assertThat(Attempts.stepAttemptAfter("retry", 1)).isEqualTo(2);
        assertThat(Attempts.stepAttemptAfter("retry", 2)).isEqualTo(3);
        assertThat(Attempts.stepAttemptAfter("wait", 2)).isEqualTo(2);
        assertThat(Attempts.stepAttemptAfter(null, 2)).isEqualTo(2);
        assertThat(Attempts.stepAttemptAfter("RETRY", 2)).as("decisions are exact values").isEqualTo(2);
    }

    @Test
    void aNewAttemptIsTheNextNumberAndNumbersStartAtOne() {
        assertThat(Attempts.next(1)).isEqualTo(2);
        assertThatThrownBy(() -> Attempts.next(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("start at 1");
    }
}
