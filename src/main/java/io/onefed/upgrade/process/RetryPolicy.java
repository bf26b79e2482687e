package io.onefed.upgrade.process;

/**
 * Named {@code retryPolicy} so the BPMN can say {@code ${retryPolicy.cycle}} for retry cycles and
 * {@code ${retryPolicy.apiPollInterval}} for timers: one place to tune, no magic numbers in the models.
 */
public class RetryPolicy {

    private final ProcessSettings settings;

    public RetryPolicy(ProcessSettings settings) {
        this.settings = settings;
    }

    public String getCycle() {
        return settings.retryCycle();
    }

    public String getApiPollInterval() {
        return settings.apiPollInterval().toString();
    }

    public String getFedIndexRecheckInterval() {
        return settings.fedIndexRecheckInterval().toString();
    }
}
