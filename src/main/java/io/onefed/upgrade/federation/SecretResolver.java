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

    /** The secret's value, trimmed of the trailing newline a file usually has. */
    public char[] resolve(SecretRef ref, String field) {
        if (ref == null || ref.isEmpty()) {
            throw new SecretUnavailableException(field + " names no secret: set " + field + ".env or " + field + ".file");
        }
        if (ref.env() != null && !ref.env().isBlank()) {
            String value = environment.apply(ref.env());
            if (value == null || value.isEmpty()) {
                throw new SecretUnavailableException(field + ".env: environment variable " + ref.env()
                        + " is not set; export it before starting the service");
            }
            return value.toCharArray();
        }
        Path path = Path.of(ref.file());
        try {
            String text = Files.readString(path, StandardCharsets.UTF_8);
            return text.strip().toCharArray();
        } catch (IOException e) {
            // the message of an IOException names the path only, never content
            throw new SecretUnavailableException(field + ".file: cannot read " + path + " ("
                    + e.getClass().getSimpleName() + "); check that it exists and is readable by this service");
        }
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

    public static class SecretUnavailableException extends RuntimeException {
        public SecretUnavailableException(String message) {
            super(message);
        }
    }
}
