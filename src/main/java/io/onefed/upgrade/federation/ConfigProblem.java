package io.onefed.upgrade.federation;

/**
 * One problem in the federation configuration: the property path as written in YAML (e.g.
 * {@code federation.zones[1].endpoint}), what is wrong, and how to fix it. Never carries a secret value.
 */
public record ConfigProblem(String field, String message, String fix) {

    /** {@code field: message}, as printed at start-up. */
    @Override
    public String toString() {
        return field + ": " + message;
    }
}
