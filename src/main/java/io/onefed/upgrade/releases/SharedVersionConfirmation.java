package io.onefed.upgrade.releases;

import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.SshTarget;
import io.onefed.upgrade.steps.DbVersionReader;
import java.util.Optional;

/**
 * Zone by zone rests on the release table's word that the target keeps the shared DB version. Once the master runs
 * the target's code, {@code onedb version -v} on its leader prints the shared version that code requires (the
 * "Required version:" after "Shared tables version:", src/onedb/onedb.rb OneDB#version, from 6.0 on); before 6.0
 * it prints none, and the shared tables version after the master's {@code onedb upgrade} stands in for it (onedb
 * upgrade migrates them to exactly what the code requires). Any other value stops the upgrade before a slave is
 * touched: a slave whose shared tables differ from its master's code cannot join ("Cannot join federation").
 */
public class SharedVersionConfirmation {

    /** What the master said, and the sentence an operator reads. */
    public record Result(boolean confirmed, String required, String finding) {
    }

    private final DbVersionReader reader;

    public SharedVersionConfirmation(DbVersionReader reader) {
        this.reader = reader;
    }

    public Result confirm(ZoneProperties master, SshTarget leader, String expected) {
        Optional<String> required = reader.requiredSharedVersion(master, leader);
        String source = "the shared version its code requires (onedb version -v, Required version)";
        String actual;
        if (required.isPresent()) {
            actual = required.get();
        } else {
            actual = reader.sharedVersion(master, leader);
            source = "its shared tables version after onedb upgrade (this onedb prints no Required version)";
        }
        return check(master.name(), leader.serverName(), expected, actual, source);
    }

    static Result check(String zone, String server, String expected, String actual, String source) {
        if (actual.equals(expected)) {
            return new Result(true, actual, "The master " + zone + " (" + server + ") confirms " + source + ": "
                    + actual + ", as the release table said. The slaves can be upgraded one by one.");
        }
        return new Result(false, actual, "The master " + zone + " (" + server + ") reports " + source + ": " + actual
                + ", but the release table gives " + expected + " for the target. The federated tables change with"
                + " this upgrade, so a slave upgraded on its own would not join the federation (\"Cannot join"
                + " federation, oned master needs upgrade\"). No slave has been touched. Abort, then run the"
                + " federated procedure (forceFederated) from the master's state, or continue if you know the"
                + " table is wrong.");
    }
}
