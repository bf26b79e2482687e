package io.onefed.upgrade.status;

import io.onefed.upgrade.ssh.CommandResult;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.ssh.SshTarget;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Probes succeed except for the hosts marked down; runs nothing (the status view only probes). */
class FakeRemoteShell implements RemoteShell {

    final Set<String> down = ConcurrentHashMap.newKeySet();
    final List<SshTarget> probed = new CopyOnWriteArrayList<>();

    @Override
    public CommandResult run(SshTarget target, RemoteCommand command) {
        throw new UnsupportedOperationException("the status view must not run commands");
    }

    @Override
    public ProbeResult probe(SshTarget target) {
        probed.add(target);
        if (down.contains(target.host())) {
            return new ProbeResult(false, null, "connect timed out");
        }
        return new ProbeResult(true, "SHA256:fake-" + target.host(), null);
    }
}
