package io.onefed.upgrade.releases;

import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.SshTarget;
import io.onefed.upgrade.steps.DbVersionReader;
import java.util.Optional;

/**
 * Zone by zone rests on the release table's word that the target keeps the shared DB version. Once the master has
 * the target's packages, and before its {@code onedb upgrade}, {@code onedb version -v} on its leader prints the
 * shared version that code requires: OpenNebula/one src/onedb/onedb.rb (one-6.10, one-7.0) OneDB#version prints
 * "Shared tables version:" then "Required version: #{ret[:oned_version]}" (onedb_backend.rb read_db_version:
 * LATEST_DB_VERSION of the installed onedb) whatever the tables hold; with older tables it then prints "Update
 * required" and exits 2 (update_available). It reads the database only: unlike backup, restore and upgrade it
 * does not call one_not_running, so the stopped master answers. Before 6.0 onedb prints no Required version; the
 * shared tables version read then is still the running release's, so that check only proves nothing changed yet.
 * Any other value stops the upgrade before a slave is touched and before the master's tables are migrated: a slave
 * whose shared tables differ from its master's code cannot join ("Cannot join federation").
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
            source = "its shared tables version before onedb upgrade (this onedb prints no Required version)";
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
                + " federation, oned master needs upgrade\"). No slave has been touched, and the master stopped"
                + " before its onedb upgrade: its database is not migrated. Roll back (the master's previous packages"
                + " come back), then run the federated procedure (forceFederated); or abort and leave the master"
                + " stopped.");
    }
}
