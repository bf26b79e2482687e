package io.onefed.upgrade.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-client table behind {@link LoginThrottleFilter}, on a hand-driven clock. */
class LoginThrottleTest {

    final AtomicLong now = new AtomicLong(1_000_000);
    final LoginThrottle throttle = new LoginThrottle(new LoginThrottleProperties(3, Duration.ofSeconds(1),
            Duration.ofSeconds(8), Duration.ofMinutes(1), 4), now::get);

    boolean fail(String client) {
        Optional<Duration> wait = throttle.attempt(client);
        if (wait.isPresent()) {
            return false;
        }
        throttle.finished(client, true);
        return true;
    }

    @Test
    void freeFailuresThenADoublingWaitUpToTheMaximum() {
        // a password guesser: three free guesses, then each one costs twice the wait of the one before
        for (int i = 0; i < 4; i++) {
            assertThat(fail("10.0.0.1")).as("guess %d", i + 1).isTrue();
        }
        long[] waits = {1000, 2000, 4000, 8000, 8000};
        for (long wait : waits) {
            assertThat(throttle.attempt("10.0.0.1")).contains(Duration.ofMillis(wait));
            now.addAndGet(wait - 1);
            assertThat(throttle.attempt("10.0.0.1")).as("1 ms early").contains(Duration.ofMillis(1));
            now.addAndGet(1);
            assertThat(fail("10.0.0.1")).isTrue();
        }
        // another client is not slowed at all
        assertThat(throttle.attempt("10.0.0.2")).isEmpty();
        throttle.finished("10.0.0.2", false);
    }

    @Test
    void aSuccessTakesBackOnlyItsOwnCountNotEarlierFailures() {
        // an insider with one valid account cannot reset the count between guesses at another one's password
        for (int i = 0; i < 4; i++) {
            fail("10.0.0.1");
        }
        now.addAndGet(1000);
        assertThat(throttle.attempt("10.0.0.1")).isEmpty();
        throttle.finished("10.0.0.1", false);
        assertThat(fail("10.0.0.1")).isTrue();
        assertThat(throttle.attempt("10.0.0.1")).as("the fifth failure costs 2 s, success or not in between")
                .contains(Duration.ofSeconds(2));
        // a client that only ever succeeds leaves nothing behind
        for (int i = 0; i < 10; i++) {
            assertThat(throttle.attempt("10.0.0.9")).isEmpty();
            throttle.finished("10.0.0.9", false);
        }
        assertThat(throttle.size()).isEqualTo(1);
    }

    @Test
    void parallelAttemptsCountAsFailuresUntilAnswered() {
        // many guesses sent at once must not all pass the check before the first failure is recorded
        int passed = 0;
        for (int i = 0; i < 100; i++) {
            if (throttle.attempt("10.0.0.1").isEmpty()) {
                passed++;
            }
        }
        assertThat(passed).isEqualTo(4);
    }

    @Test
    void failuresAreForgottenAfterAQuietPeriod() {
        for (int i = 0; i < 4; i++) {
            fail("10.0.0.1");
        }
        assertThat(throttle.attempt("10.0.0.1")).isPresent();
        now.addAndGet(Duration.ofMinutes(1).toMillis());
        assertThat(fail("10.0.0.1")).isTrue();
        assertThat(throttle.attempt("10.0.0.1")).as("free guesses again").isEmpty();
    }

    @Test
    void theTableIsBoundedWhateverTheNumberOfClients() {
        // an attacker spraying from many addresses fills at most max-clients entries
        for (int i = 0; i < 10_000; i++) {
            fail("10.1." + (i / 256) + "." + (i % 256));
        }
        assertThat(throttle.size()).isLessThanOrEqualTo(4);
    }

    @Test
    void anIpv6ClientIsItsSlash64() {
        assertThat(LoginThrottle.clientOf("2001:db8:1:2:aaaa::1")).isEqualTo(LoginThrottle.clientOf("2001:db8:1:2::beef"))
                .isEqualTo("2001:db8:1:2::/64");
        assertThat(LoginThrottle.clientOf("2001:db8:1:3::1")).isNotEqualTo(LoginThrottle.clientOf("2001:db8:1:2::1"));
        assertThat(LoginThrottle.clientOf("127.0.0.2")).isEqualTo("127.0.0.2");
        assertThat(LoginThrottle.clientOf(null)).isEqualTo("unknown");
    }

    @Test
    void badSettingsNameTheFieldAndTheFix() {
        assertThatThrownBy(() -> new LoginThrottleProperties(-1, null, null, null, null))
                .hasMessageContaining("onefed.security.login-throttle.free-failures").hasMessageContaining("e.g. 10");
        assertThatThrownBy(() -> new LoginThrottleProperties(null, Duration.ZERO, null, null, null))
                .hasMessageContaining("first-delay");
        assertThatThrownBy(() -> new LoginThrottleProperties(null, null, Duration.ofHours(2), null, null))
                .hasMessageContaining("forget-after");
        assertThatThrownBy(() -> new LoginThrottleProperties(null, null, null, null, 0))
                .hasMessageContaining("max-clients");
        assertThat(LoginThrottleProperties.defaults().freeFailures()).isEqualTo(10);
    }
}
