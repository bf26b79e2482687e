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

    /**
     * The shared tables version the installed code requires: the "Required version:" line right after "Shared
     * tables version:" in {@code onedb version -v} (OneDB#version, src/onedb/onedb.rb, release-6.10.3 lines 181-182:
     * {@code puts "Required version:        #{ret[:oned_version]}"}, onedb's LATEST_DB_VERSION; the second
     * "Required version:" belongs to the local tables). onedb prints it from 6.0 on; empty before, or when
     * {@code db_versioning} is unreadable (then the line is there without a value).
     */
    public Optional<String> requiredSharedVersion(ZoneProperties zone, SshTarget target) {
        CommandResult r = shell.run(target, command(zone));
        if (r.exitStatus() != 0 && r.exitStatus() != 2 && r.exitStatus() != 3) {
            throw new IllegalStateException("onedb version -v on " + target.address() + " exited " + r.exitStatus()
                    + ": " + r.stderr().strip());
        }
        return parseRequiredShared(r.stdout());
    }

    public static Optional<String> parseRequiredShared(String output) {
        String[] lines = output.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("Shared tables version:") && lines[i + 1].startsWith("Required version:")) {
                String v = lines[i + 1].substring("Required version:".length()).strip();
                return v.isEmpty() ? Optional.empty() : Optional.of(v);
            }
        }
        return Optional.empty();
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
