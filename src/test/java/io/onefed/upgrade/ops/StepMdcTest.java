package io.onefed.upgrade.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class StepMdcTest {

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void putsAndRestoresNestedScopes() {
        try (var outer = StepMdc.put("upg-1", "zone-a", "prepare")) {
            assertThat(MDC.get("upgradeId")).isEqualTo("upg-1");
            assertThat(MDC.get("zone")).isEqualTo("zone-a");
            assertThat(MDC.get("step")).isEqualTo("prepare");
            try (var inner = StepMdc.step("backup")) {
                assertThat(MDC.get("step")).isEqualTo("backup");
                assertThat(MDC.get("zone")).isEqualTo("zone-a");
            }
            assertThat(MDC.get("step")).isEqualTo("prepare");
        }
        assertThat(MDC.get("upgradeId")).isNull();
        assertThat(MDC.get("zone")).isNull();
        assertThat(MDC.get("step")).isNull();
    }

    @Test
    void restoresEvenWhenTheBlockThrows() {
        MDC.put("zone", "before");
        try (var scope = StepMdc.put("upg-2", "zone-b", "stop")) {
            throw new IllegalStateException("boom");
        } catch (IllegalStateException expected) {
            assertThat(MDC.get("zone")).isEqualTo("before");
            assertThat(MDC.get("step")).isNull();
        }
    }
}
