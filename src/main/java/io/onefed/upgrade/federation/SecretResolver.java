package io.onefed.upgrade.federation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a secret at the moment of use. The value goes straight to the caller (an SSH session, an XML-RPC call,
 * a child process environment) and is never logged, stored in a process variable or put in an exception:
 * errors name the reference, not the value.
 */
public class SecretResolver {

    private final Function<String, String> environment;

    public SecretResolver() {
        this(System::getenv);
    }

    /** For tests: an explicit environment instead of the process's own. */
    public SecretResolver(Map<String, String> environment) {
        this(environment::get);
    }

    /** An explicit environment lookup (the start-up validator's). */
    public static SecretResolver withEnvironment(Function<String, String> environment) {
        return new SecretResolver(environment);
    }

    private SecretResolver(Function<String, String> environment) {
        this.environment = environment;
    }

    /**
     * The secret's value, trimmed of the trailing newline a file usually has. Every way it cannot be read (no
     * source, variable unset or empty, file missing, not a regular file, unreadable or empty) is an exception that
     * names the field and the fix; the start-up validator reports the same exception as a config problem.
     */
    public char[] resolve(SecretRef ref, String field) {
        if (ref == null || ref.isEmpty()) {
            throw new SecretUnavailableException(field, "names no secret",
                    "set " + field + ".env or " + field + ".file");
        }
        if (ref.env() != null && !ref.env().isBlank()) {
            String value = environment.apply(ref.env());
            if (value == null || value.isEmpty()) {
                throw new SecretUnavailableException(field + ".env", "environment variable " + ref.env()
                        + " is not set or empty", "export " + ref.env() + " before starting the service, or use "
                        + field + ".file instead");
            }
            return value.toCharArray();
        }
        Path path = Path.of(ref.file());
        String unusable = unreadableFile(path);
        if (unusable != null) {
            throw new SecretUnavailableException(field + ".file", "the file " + path + " " + unusable,
                    "create it (mode 600) readable by the service's user, or point " + field
                            + ".file to the right file");
        }
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // the message of an IOException names the path only, never content
            throw new SecretUnavailableException(field + ".file", "the file " + path + " cannot be read ("
                    + e.getClass().getSimpleName() + ")", "make it readable by the service's user, as UTF-8 text");
        }
        if (text.isBlank()) {
            throw new SecretUnavailableException(field + ".file", "the file " + path + " is empty",
                    "write the secret into " + path);
        }
        return text.stripTrailing().toCharArray(); // the file's line break; a leading blank is the validator's to refuse
    }

    /** Why a local file cannot be used, or null when it is a readable regular file. */
    public static String unreadableFile(Path file) {
        if (!Files.exists(file)) {
            return "does not exist";
        }
        if (!Files.isRegularFile(file)) {
            return "is not a regular file";
        }
        if (!Files.isReadable(file)) {
            return "is not readable by this service's user";
        }
        return null;
    }

    /** Checks that the secret can be read, without keeping it. */
    public boolean isReadable(SecretRef ref) {
        try {
            char[] value = resolve(ref, "secret");
            java.util.Arrays.fill(value, '\0');
            return true;
        } catch (SecretUnavailableException e) {
            return false;
        }
    }

    /** A secret that cannot be read: names the field and the fix, never the value. */
    public static class SecretUnavailableException extends SettingException {

        public SecretUnavailableException(String message) {
            super(null, message, null);
        }

        public SecretUnavailableException(String field, String problem, String fix) {
            super(field, problem, fix);
        }
    }
}
