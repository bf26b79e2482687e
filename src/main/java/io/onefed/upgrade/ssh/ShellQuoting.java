package io.onefed.upgrade.ssh;

/** The one function that quotes arguments for a POSIX shell (design decision 4). */
public final class ShellQuoting {

    private ShellQuoting() {
    }

    /**
     * Quotes {@code arg} so that a POSIX shell reads it back as exactly one word with the same bytes: plain
     * words stay as they are, anything else goes between single quotes with each {@code '} written {@code '\''}.
     */
    public static String quote(String arg) {
        if (arg == null) {
            throw new IllegalArgumentException("null shell argument");
        }
        if (arg.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a shell argument cannot contain a NUL byte");
        }
        if (!arg.isEmpty() && arg.matches("[A-Za-z0-9_@%+=:,./-]+")) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
