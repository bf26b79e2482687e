package io.onefed.upgrade.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.onefed.upgrade.metrics.UpgradeMetricsService.Snapshot;
import io.onefed.upgrade.metrics.UpgradeMetricsService.ZoneKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The gauges follow each refresh; a (step, state) no zone is in any more goes away; a failed refresh keeps the values. */
class UpgradeMetricsBinderTest {

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    /** The engine's answers, one per refresh. */
    static final class Answers extends UpgradeMetricsService {
        final Deque<Supplier<Snapshot>> next = new ArrayDeque<>();

        Answers() {
            super(null, null, null);
        }

        @Override
        public Snapshot compute(Instant now) {
            return next.removeFirst().get();
        }
    }

    static Snapshot snapshot(Instant at, long running, Map<ZoneKey, Long> zones) {
        Map<String, Long> upgrades = new LinkedHashMap<>(Snapshot.empty(at).upgrades());
        upgrades.put("running", running);
        return new Snapshot(at, upgrades, zones, 2, 30, 1, 120, true);
    }

    @Test
    void gaugesFollowTheRefreshes() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Answers answers = new Answers();
        Clock[] clock = {Clock.fixed(T0, ZoneOffset.UTC)};
        Clock now = new Clock() {
            public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            public Clock withZone(java.time.ZoneId zone) { return this; }
            public Instant instant() { return clock[0].instant(); }
        };
        UpgradeMetricsBinder binder = new UpgradeMetricsBinder(answers, now, Duration.ofSeconds(10));
        binder.bindTo(registry);
        assertThat(registry.get(UpgradeMetrics.UPGRADES).tag("state", "running").gauge().value()).isZero();
        assertThat(registry.find(UpgradeMetrics.ZONES).gauges()).isEmpty();

        answers.next.add(() -> snapshot(T0, 1, Map.of(new ZoneKey("UpgradeDb", "running"), 3L,
                new ZoneKey("ZoneStopped", "done"), 97L)));
        binder.refresh();
        assertThat(registry.get(UpgradeMetrics.UPGRADES).tag("state", "running").gauge().value()).isEqualTo(1);
        assertThat(registry.get(UpgradeMetrics.ZONES).tags("step", "UpgradeDb", "state", "running").gauge().value())
                .isEqualTo(3);
        assertThat(registry.get(UpgradeMetrics.APPROVALS_WAITING).gauge().value()).isEqualTo(2);
        assertThat(registry.get(UpgradeMetrics.APPROVALS_OLDEST_AGE).gauge().value()).isEqualTo(30);
        assertThat(registry.get(UpgradeMetrics.INCIDENTS_OPEN).gauge().value()).isEqualTo(1);
        assertThat(registry.get(UpgradeMetrics.LAST_API_FREEZE).gauge().value()).isEqualTo(120);
        assertThat(registry.get(UpgradeMetrics.LAST_API_FROZEN).gauge().value()).isEqualTo(1);

        // the zones moved on: the old (step, state) disappears instead of staying at 3
        answers.next.add(() -> snapshot(T0.plusSeconds(10), 1, Map.of(new ZoneKey("CheckDb", "running"), 3L)));
        clock[0] = Clock.fixed(T0.plusSeconds(10), ZoneOffset.UTC);
        binder.refresh();
        assertThat(registry.find(UpgradeMetrics.ZONES).tags("step", "UpgradeDb").gauges()).isEmpty();
        assertThat(registry.get(UpgradeMetrics.ZONES).tags("step", "CheckDb").gauge().value()).isEqualTo(3);
        assertThat(registry.get(UpgradeMetrics.REFRESH_AGE).gauge().value()).isZero();

        // the database is away: the last values stay, their age shows it
        answers.next.add(() -> {
            throw new IllegalStateException("connection refused");
        });
        clock[0] = Clock.fixed(T0.plusSeconds(70), ZoneOffset.UTC);
        binder.refresh();
        assertThat(registry.get(UpgradeMetrics.ZONES).tags("step", "CheckDb").gauge().value()).isEqualTo(3);
        assertThat(registry.get(UpgradeMetrics.REFRESH_AGE).gauge().value()).isEqualTo(60);
        binder.close();
    }
}
