package io.onefed.upgrade.ssh;

import io.onefed.upgrade.federation.SecretRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A command for a remote POSIX shell, built from a template whose {@code {}} placeholders are filled with
 * arguments quoted by {@link ShellQuoting#quote} (design decision 4): never by string concatenation.
 * Secrets the command needs (e.g. {@code ONE_DB_PASSWORD}) are named here as references and handed to the
 * remote process through its standard input at run time, so they never appear in the rendered command,
 * the plan, {@code ps}, logs or history.
 */
public final class RemoteCommand {

    private final String rendered;
    private final Map<String, SecretRef> secretEnv;

    private RemoteCommand(String rendered, Map<String, SecretRef> secretEnv) {
        this.rendered = rendered;
        this.secretEnv = Collections.unmodifiableMap(secretEnv);
    }

    /** {@code of("onedb restore {} -v --federated", path)}: each {} becomes one quoted argument. */
    public static RemoteCommand of(String template, Object... args) {
        Objects.requireNonNull(template, "template");
        StringBuilder out = new StringBuilder();
        int argIndex = 0;
        int from = 0;
        int at;
        while ((at = template.indexOf("{}", from)) >= 0) {
            if (argIndex >= args.length) {
                throw new IllegalArgumentException("template has more {} than arguments: " + template);
            }
            out.append(template, from, at).append(ShellQuoting.quote(String.valueOf(args[argIndex++])));
            from = at + 2;
        }
        if (argIndex != args.length) {
            throw new IllegalArgumentException("template has fewer {} than arguments: " + template);
        }
        out.append(template.substring(from));
        return new RemoteCommand(out.toString(), new LinkedHashMap<>());
    }

    /** Joins commands with {@code &&}: the next runs only if the previous succeeded. */
    public static RemoteCommand allOf(List<RemoteCommand> commands) {
        List<String> parts = new ArrayList<>();
        Map<String, SecretRef> env = new LinkedHashMap<>();
        for (RemoteCommand c : commands) {
            parts.add(c.rendered);
            env.putAll(c.secretEnv);
        }
        return new RemoteCommand(String.join(" && ", parts), env);
    }

    /** The remote process gets {@code name} set to the secret's value (sent over stdin, not the command line). */
    public RemoteCommand withSecretEnv(String name, SecretRef ref) {
        if (!name.matches("[A-Z_][A-Z0-9_]*")) {
            throw new IllegalArgumentException("not an environment variable name: " + name);
        }
        Map<String, SecretRef> env = new LinkedHashMap<>(secretEnv);
        env.put(name, ref);
        return new RemoteCommand(rendered, env);
    }

    /** The exact shell text sent to the host; safe to show in plans and reports (it carries no secret). */
    public String rendered() {
        return rendered;
    }

    public Map<String, SecretRef> secretEnv() {
        return secretEnv;
    }

    @Override
    public String toString() {
        return rendered;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RemoteCommand other && rendered.equals(other.rendered) && secretEnv.equals(other.secretEnv);
    }

    @Override
    public int hashCode() {
        return rendered.hashCode();
    }
}
