package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.CommandResult;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.ssh.SshTarget;
import java.util.ArrayList;
import java.util.List;

/** The guide's proof that a zone is down: no {@code opennebula*} unit is still active on any front-end. */
public class StopVerifier {

    static final RemoteCommand LIST_ACTIVE = RemoteCommand.of(
            "systemctl list-units --all --state=active,activating,deactivating,reloading --no-legend --plain {}",
            "opennebula*");

    private final RemoteShell shell;

    public StopVerifier(RemoteShell shell) {
        this.shell = shell;
    }

    /** {@code server: unit} for every unit still running; empty when the zone is down. */
    public List<String> stillActive(ZoneProperties zone) {
        List<String> active = new ArrayList<>();
        for (ServerProperties server : zone.servers()) {
            CommandResult r = shell.run(SshTarget.of(zone, server), LIST_ACTIVE);
            if (!r.succeeded()) {
                throw new IllegalStateException("systemctl list-units failed on " + server.name() + " (exit "
                        + r.exitStatus() + "): " + r.stderr().strip());
            }
            for (String line : r.stdout().split("\n")) {
                if (!line.isBlank()) {
                    active.add(server.name() + ": " + line.trim().split("\\s+")[0]);
                }
            }
        }
        return active;
    }
}
