package io.onefed.upgrade.process;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code onefed.approvals.*}: {@code four-eyes} (default true) keeps the operator who started an upgrade from
 * approving its gates; {@code deadline} (e.g. PT4H, unset by default) sends a reminder webhook when an approval
 * gate waits longer than that.
 */
@ConfigurationProperties(prefix = "onefed.approvals")
public record ApprovalSettings(Boolean fourEyes, Duration deadline) {

    public ApprovalSettings {
        fourEyes = fourEyes == null ? Boolean.TRUE : fourEyes;
        if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
            throw new IllegalArgumentException("onefed.approvals.deadline: " + deadline
                    + " must be positive (e.g. PT4H), or unset for no deadline");
        }
    }

    public static ApprovalSettings defaults() {
        return new ApprovalSettings(null, null);
    }
}
