package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.steps.PostChecks;
import io.onefed.upgrade.steps.PreflightService;
import io.onefed.upgrade.steps.ZoneApiCheck;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 point 4: one.system.version answers code_version(), four parts on CE maintenance releases
 * ("6.10.0.1", include/NebulaService.h on one-6.10). The old OneVersion refused "6.10.0.1" (only an optional
 * package suffix after three parts), so each of these checks threw instead of answering.
 */
class FourPartVersionChecksTest {

    @Test
    void preflightZoneApiCheckAndPostChecksReadFourPartVersions() {
        FakeFederation fed = FakeFederation.guide("6.10.0.1");
        FederationProperties zones = fed.properties;
        FakeFederation.TARGET = "6.10.1";
        try {
            PreflightService.Result pre = new PreflightService(zones, fed, fed, 1024).run("6.10.1", 0);
            assertThat(pre.fromVersion()).isEqualTo("6.10.0.1");
            assertThat(pre.checks()).anyMatch(c -> c.name().equals("target is an upgrade") && c.passed()
                    && c.detail().startsWith("6.10.0.1 -> 6.10.1"));
        } finally {
            FakeFederation.TARGET = "7.0.0";
        }

        ZoneApiCheck api = new ZoneApiCheck(fed);
        Instant now = Instant.now();
        assertThat(api.check(zones.master(), "6.10.0.1", now.plusSeconds(60), now).state()).isEqualTo(ZoneApiCheck.ApiState.UP);
        // a zone that answers another build of the series is not on the target
        assertThat(api.check(zones.master(), "6.10.0", now.plusSeconds(60), now).state()).isEqualTo(ZoneApiCheck.ApiState.FAILED);

        PostChecks.Result post = new PostChecks(zones, fed).run("6.10.0.1", Set.of());
        assertThat(post.checks()).filteredOn(c -> c.name().equals("answers on the target version"))
                .hasSize(3).allMatch(c -> c.passed() && c.detail().equals("6.10.0.1"));
    }
}
