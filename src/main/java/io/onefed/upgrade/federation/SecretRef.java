package io.onefed.upgrade.federation;

/**
 * Where a secret comes from: exactly one of an environment variable name or a file path.
 * The secret itself is read at the moment of use ({@link SecretResolver}) and never stored.
 */
public record SecretRef(String env, String file) {

    public boolean isEmpty() {
        return isBlank(env) && isBlank(file);
    }

    /** Safe to log: names where the secret lives, never its value. */
    @Override
    public String toString() {
        return !isBlank(env) ? "env:" + env : !isBlank(file) ? "file:" + file : "(none)";
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
