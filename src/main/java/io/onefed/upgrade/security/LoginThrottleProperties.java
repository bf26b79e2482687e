package io.onefed.upgrade.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code onefed.security.login-throttle.*}: how failed logins from one client (remote address; an IPv6 client by
 * its /64) are slowed, see {@link LoginThrottle}.
 *
 * @param freeFailures failed logins of a client that cost nothing (default 10)
 * @param firstDelay   the wait after the first failure beyond those, doubled after each further one (default PT1S)
 * @param maxDelay     the longest wait (default PT5M)
 * @param forgetAfter  a client without a failed login for this long starts afresh (default PT1H)
 * @param maxClients   clients remembered at most; the least recently seen are forgotten first (default 10000)
 */
@ConfigurationProperties(prefix = "onefed.security.login-throttle")
public record LoginThrottleProperties(Integer freeFailures, Duration firstDelay, Duration maxDelay,
                                      Duration forgetAfter, Integer maxClients) {

    static final String PREFIX = "onefed.security.login-throttle.";

    public LoginThrottleProperties {
        freeFailures = freeFailures == null ? 10 : freeFailures;
        firstDelay = firstDelay == null ? Duration.ofSeconds(1) : firstDelay;
        maxDelay = maxDelay == null ? Duration.ofMinutes(5) : maxDelay;
        forgetAfter = forgetAfter == null ? Duration.ofHours(1) : forgetAfter;
        maxClients = maxClients == null ? 10_000 : maxClients;
        if (freeFailures < 0) {
            throw new IllegalArgumentException(PREFIX + "free-failures: " + freeFailures + " must be 0 or more (e.g. 10)");
        }
        if (firstDelay.isNegative() || firstDelay.isZero()) {
            throw new IllegalArgumentException(PREFIX + "first-delay: " + firstDelay + " must be positive (e.g. PT1S)");
        }
        if (maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException(PREFIX + "max-delay: " + maxDelay + " must be at least first-delay ("
                    + firstDelay + "), e.g. PT5M");
        }
        if (forgetAfter.compareTo(maxDelay) < 0) {
            throw new IllegalArgumentException(PREFIX + "forget-after: " + forgetAfter + " must be at least max-delay ("
                    + maxDelay + "), or waiting would be cheaper than the throttle; e.g. PT1H");
        }
        if (maxClients < 1) {
            throw new IllegalArgumentException(PREFIX + "max-clients: " + maxClients + " must be 1 or more (e.g. 10000)");
        }
    }

    public static LoginThrottleProperties defaults() {
        return new LoginThrottleProperties(null, null, null, null, null);
    }
}
