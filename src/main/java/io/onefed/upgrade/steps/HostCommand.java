package io.onefed.upgrade.steps;

import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.SshTarget;

/** One command of a step on one front-end server. */
public record HostCommand(SshTarget target, RemoteCommand command) {
}
