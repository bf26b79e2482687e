package io.onefed.upgrade.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * Puts the upgrade id, zone and step into the logging MDC for a block of code and restores the previous values
 * after it (the log pattern prints {@code %X{upgradeId}}, {@code %X{zone}}, {@code %X{step}}):
 * <pre>{@code try (var m = StepMdc.put(upgradeId, zone, step)) { ... } }</pre>
 * A null argument leaves that key as it was, so an inner block can refine only the step. Never pass a secret.
 */
public final class StepMdc implements AutoCloseable {

    public static final String UPGRADE_ID = "upgradeId";
    public static final String ZONE = "zone";
    public static final String STEP = "step";

    private final Map<String, String> previous = new LinkedHashMap<>();

    private StepMdc() {
    }

    public static StepMdc put(String upgradeId, String zone, String step) {
        StepMdc scope = new StepMdc();
        scope.set(UPGRADE_ID, upgradeId);
        scope.set(ZONE, zone);
        scope.set(STEP, step);
        return scope;
    }

    /** Only the step, keeping upgrade id and zone. */
    public static StepMdc step(String step) {
        return put(null, null, step);
    }

    private void set(String key, String value) {
        if (value == null) {
            return;
        }
        previous.put(key, MDC.get(key));
        MDC.put(key, value);
    }

    /** Restores what was there before {@link #put}; never throws. */
    @Override
    public void close() {
        previous.forEach((key, value) -> {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        });
    }
}
