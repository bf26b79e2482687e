package io.onefed.upgrade.steps;

import io.onefed.upgrade.ssh.CommandResult;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.ssh.SshTarget;

/**
 * What an upgrade changed in one zone, read (changing nothing) from the records it left in the zone's upgrade
 * directory on the leader, so a rollback leaves a zone it never touched alone and only restarts a zone it only
 * stopped: stop-services writes {@code stopped-units}, backup-config (the zone's first change after the stop)
 * writes the package record.
 */
public class RollbackScope {

    /** NONE: never touched; STOPPED: services stopped, nothing else; CHANGED: backed up and possibly upgraded. */
    public enum Changes { NONE, STOPPED, CHANGED }

    private final RemoteShell shell;

    public RollbackScope(RemoteShell shell) {
        this.shell = shell;
    }

    static RemoteCommand command(StepContext ctx) {
        String dir = ZoneCommands.upgradeDir(ctx);
        return RemoteCommand.of("if test -e {}; then echo CHANGED; elif test -s {}; then echo STOPPED; else echo NONE; fi",
                ZoneCommands.savedPackagesPath(ctx), dir + "/stopped-units");
    }

    public Changes assess(StepContext ctx) {
        SshTarget leader = SshTarget.of(ctx.zone(), ZoneCommands.leader(ctx));
        CommandResult r = shell.run(leader, command(ctx));
        String out = r.stdout() == null ? "" : r.stdout().strip();
        if (!r.succeeded() || !out.matches("NONE|STOPPED|CHANGED")) {
            throw new IllegalStateException("zone " + ctx.zone().id() + " (" + ctx.zone().name() + "): cannot read what"
                    + " the upgrade changed in " + ZoneCommands.upgradeDir(ctx) + " on " + leader.serverName() + " (exit "
                    + r.exitStatus() + "): " + (r.stderr() == null ? "" : r.stderr().strip()));
        }
        return Changes.valueOf(out);
    }
}
