package io.onefed.upgrade.steps;

/** One finding of a preflight or post-check: which zone (or "federation"), what was checked, and the result. */
public record Check(String zone, String name, boolean passed, String detail) {

    public static Check pass(String zone, String name, String detail) {
        return new Check(zone, name, true, detail);
    }

    public static Check fail(String zone, String name, String detail) {
        return new Check(zone, name, false, detail);
    }

    public String line() {
        return (passed ? "[ok]   " : "[FAIL] ") + zone + ": " + name + (detail == null || detail.isBlank() ? "" : " - " + detail);
    }
}
