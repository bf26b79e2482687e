package io.onefed.upgrade.status;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * {@code onefed.status.*}: how {@code GET /api/federation/status} shares one probe of the federation between its
 * callers ({@link SharedFederationStatus}). {@code reuse-for} (default PT5S): an answer this young is served as it
 * is. {@code wait-after} (default PT1M): an older answer is still served while a new probe runs in the background,
 * until it is this old; then callers wait for the new probe. Both PT0S: every call probes, as before.
 * {@code upgrade-read-wait} (default PT0.5S): how long a caller of {@code GET /api/upgrades/{id}} and of its
 * {@code /progress} waits for a read that began after its call before it gets the latest answer instead
 * (web/SharedReads).
 */
@ConfigurationProperties(prefix = "onefed.status")
public record StatusSettings(Duration reuseFor, Duration waitAfter, Duration upgradeReadWait) {

    public StatusSettings(Duration reuseFor, Duration waitAfter) {
        this(reuseFor, waitAfter, null);
    }

    @ConstructorBinding
    public StatusSettings {
        reuseFor = reuseFor == null ? Duration.ofSeconds(5) : reuseFor;
        upgradeReadWait = upgradeReadWait == null ? Duration.ofMillis(500) : upgradeReadWait;
        if (upgradeReadWait.isNegative() || upgradeReadWait.isZero()) {
            throw new IllegalArgumentException("onefed.status.upgrade-read-wait: " + upgradeReadWait + " is not"
                    + " positive; give how long a caller of GET /api/upgrades/{id} (and /progress) waits for a fresh"
                    + " read before it gets the latest one, e.g. PT0.5S (PT1H: always wait)");
        }
        if (waitAfter == null) {
            waitAfter = reuseFor.compareTo(Duration.ofMinutes(1)) > 0 ? reuseFor : Duration.ofMinutes(1);
        }
        if (reuseFor.isNegative()) {
            throw new IllegalArgumentException("onefed.status.reuse-for: " + reuseFor
                    + " is negative; give how long one probe's answer is served, e.g. PT5S (PT0S: probe every call)");
        }
        if (waitAfter.compareTo(reuseFor) < 0) {
            throw new IllegalArgumentException("onefed.status.wait-after: " + waitAfter + " is shorter than"
                    + " onefed.status.reuse-for (" + reuseFor + "); give at least that, e.g. PT1M");
        }
    }

    public static StatusSettings defaults() {
        return new StatusSettings(null, null, null);
    }
}
