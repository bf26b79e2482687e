package io.onefed.upgrade.releases;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.federation.ServerProperties;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.CommandResult;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.RemoteShell;
import io.onefed.upgrade.ssh.SshTarget;
import io.onefed.upgrade.steps.DbVersionReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The master's word on the shared DB version, as onedb version -v prints it (src/onedb/onedb.rb OneDB#version). */
class SharedVersionConfirmationTest {

    final ServerProperties fe = new ServerProperties("m-fe0", "10.0.0.1", 22, "root");
    final ZoneProperties master = new ZoneProperties(0, "M", "master", "http://10.0.0.1:2633/RPC2", false, "debian",
            null, null, null, null, List.of(fe));
    final List<String> ran = new ArrayList<>();

    SharedVersionConfirmation answering(String stdout, int exit) {
        RemoteShell shell = new RemoteShell() {
            @Override
            public CommandResult run(SshTarget target, RemoteCommand command) {
                ran.add(command.rendered());
                return new CommandResult(exit, stdout, "", false, "sha", Duration.ZERO);
            }

            @Override
            public ProbeResult probe(SshTarget target) {
                return new ProbeResult(true, "fp", null);
            }
        };
        return new SharedVersionConfirmation(new DbVersionReader(shell));
    }

    @Test
    void theRequiredVersionConfirmsOrNot() {
        String out = "Shared tables version:   6.10.0\nRequired version:        6.10.0\nTimestamp: x\n\n"
                + "Local tables version:    6.10.0\nRequired version:        6.10.0\n";
        SharedVersionConfirmation.Result ok = answering(out, 0).confirm(master, SshTarget.of(master, fe), "6.10.0");
        assertThat(ok.confirmed()).isTrue();
        assertThat(ok.finding()).contains("confirms").contains("Required version");
        assertThat(ran).singleElement().satisfies(c -> assertThat(c).startsWith("onedb version -v"));

        String newer = out.replaceFirst("Required version:        6.10.0", "Required version:        6.10.3");
        SharedVersionConfirmation.Result differs = answering(newer, 2).confirm(master, SshTarget.of(master, fe), "6.10.0");
        assertThat(differs.confirmed()).isFalse();
        assertThat(differs.required()).isEqualTo("6.10.3");
        assertThat(differs.finding()).contains("release table gives 6.10.0").contains("No slave has been touched")
                .contains("its database is not migrated").contains("Roll back");
    }

    /** onedb before 6.0 prints no Required version: the shared tables, read before onedb upgrade, stand in for it. */
    @Test
    void withoutARequiredLineTheSharedTablesVersionIsUsed() {
        SharedVersionConfirmation.Result r = answering("Shared tables version:   5.12.0\nTimestamp: x\n", 0)
                .confirm(master, SshTarget.of(master, fe), "5.12.0");
        assertThat(r.confirmed()).isTrue();
        assertThat(r.finding()).contains("shared tables version before onedb upgrade");
    }
}
