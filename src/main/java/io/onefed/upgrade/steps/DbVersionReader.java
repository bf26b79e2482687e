package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.CommandResult;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.ssh.SshTarget;
import java.util.Optional;

/**
 * Reads a front-end's database versions with {@code onedb version -v} (read-only, so synchronous). The output
 * format is OneDB#version of OpenNebula/one src/onedb/onedb.rb (one-6.10, one-7.0): "Shared tables version:   X";
 * the exit status is 0 (matches the code), 2 (older) or 3 (newer), each with the versions printed.
 */
public class DbVersionReader {

    private final RemoteShell shell;

    public DbVersionReader(RemoteShell shell) {
        this.shell = shell;
    }

    /** The command, MySQL password through the environment as for every onedb call. */
    public static RemoteCommand command(ZoneProperties zone) {
        return ZoneCommands.withDbSecret(zone, RemoteCommand.of("onedb version -v" + ZoneCommands.dbOptions(zone)));
    }

    /** The shared tables version on {@code target}, a server of {@code zone}. */
    public String sharedVersion(ZoneProperties zone, SshTarget target) {
        CommandResult r = shell.run(target, command(zone));
        if (r.exitStatus() != 0 && r.exitStatus() != 2 && r.exitStatus() != 3) {
            throw new IllegalStateException("onedb version -v on " + target.address() + " exited " + r.exitStatus()
                    + ": " + r.stderr().strip());
        }
        return parseShared(r.stdout()).orElseThrow(() -> new IllegalStateException("onedb version -v on "
                + target.address() + " printed no 'Shared tables version:' line: " + r.stdout().strip()));
    }

    static Optional<String> parseShared(String output) {
        for (String line : output.split("\n")) {
            if (line.startsWith("Shared tables version:")) {
                String v = line.substring("Shared tables version:".length()).strip();
                return v.isEmpty() ? Optional.empty() : Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
