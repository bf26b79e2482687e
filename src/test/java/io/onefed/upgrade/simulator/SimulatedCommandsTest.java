package io.onefed.upgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The simulated OpenNebula commands, run through a real SSH client and a real shell. */
class SimulatedCommandsTest extends GuideSimulationTestBase {

    private String dir(int zone) {
        return sim.serverDir(zone).toString();
    }

    @Test
    void systemctlStopsStartsAndReportsUnitsLikeSystemd() throws Exception {
        SimClient.Result active = ssh.exec(0, "systemctl is-active opennebula-flow opennebula-nonexistent");
        assertThat(active.exit()).isEqualTo(3);
        assertThat(active.out()).isEqualTo("active\ninactive\n");

        SimClient.Result unknown = ssh.exec(0, "systemctl stop apache2");
        assertThat(unknown.exit()).isEqualTo(5);
        assertThat(unknown.err()).isEqualTo("Failed to stop apache2.service: Unit apache2.service not loaded.\n");

        assertThat(ssh.exec(0, "systemctl stop opennebula-flow && systemctl is-active --quiet opennebula-flow").exit()).isEqualTo(3);
        assertThat(ssh.exec(0, "systemctl is-active --quiet opennebula-flow; echo $?").out()).isEqualTo("3\n");
        SimClient.Result list = ssh.exec(0, "systemctl list-units --type service --all --no-legend 'opennebula-f*'");
        assertThat(list.out()).contains("opennebula-flow.service").contains("inactive dead")
                .contains("opennebula-fireedge.service").doesNotContain("opennebula-gate");

        // the orchestrator's proof that a zone is down (StopVerifier): only active units are listed
        String listActive = "systemctl list-units --all --state=active,activating,deactivating,reloading --no-legend"
                + " --plain 'opennebula*'";
        SimClient.Result activeOnly = ssh.exec(0, listActive);
        assertThat(activeOnly.out()).contains("opennebula.service").doesNotContain("opennebula-flow.service");

        assertThat(ssh.exec(0, "systemctl stop opennebula").exit()).isZero();
        assertThat(ssh.exec(0, listActive).out()).doesNotContain("opennebula.service").contains("opennebula-gate.service");
        assertThat(Files.exists(sim.serverDir(0).resolve("var/lock/one/one"))).isFalse();
        assertThat(sim.apiOpen(0)).isFalse();
        assertThat(ssh.exec(0, "systemctl start opennebula").exit()).isZero();
        assertThat(Files.exists(sim.serverDir(0).resolve("var/lock/one/one"))).isTrue();
        assertThat(sim.apiOpen(0)).isTrue();
        assertThat(ssh.exec(0, "systemctl daemon-reload").exit()).isZero();
    }

    @Test
    void onedbVersionBackupAndRefusals() throws Exception {
        SimClient.Result v = ssh.exec(0, "onedb version -v");
        assertThat(v.exit()).isZero();
        assertThat(v.out()).contains("Shared tables version:   6.10.0").contains("Local tables version:    6.10.0");
        assertThat(ssh.exec(100, "onedb version -v").out()).contains("This database is a federation slave");

        String file = dir(0) + "/b1.sql";
        SimClient.Result b = ssh.exec(0, "onedb backup " + file);
        assertThat(b.exit()).isZero();
        assertThat(b.out()).startsWith("MySQL dump stored in " + file + "\n");
        SimClient.Result again = ssh.exec(0, "onedb backup " + file);
        assertThat(again.exit()).isEqualTo(255);
        assertThat(again.err()).isEqualTo("File " + file + " exists, backup aborted. Use -f to overwrite.\n");
        assertThat(ssh.exec(0, "onedb backup -f " + file).exit()).isZero();

        // default name under /var/lib/one, no zero padding
        SimClient.Result def = ssh.exec(0, "onedb backup --federated");
        assertThat(def.out()).containsPattern("stored in " + dir(0)
                + "/var/lib/one/mysql_localhost_opennebula_federated_\\d{4}-\\d{1,2}-\\d{1,2}_\\d{1,2}:\\d{1,2}:\\d{1,2}\\.sql");

        SimClient.Result running = ssh.exec(0, "onedb restore -f " + file);
        assertThat(running.exit()).isEqualTo(255);
        assertThat(running.err()).isEqualTo("First stop OpenNebula. Lock file found: " + dir(0) + "/var/lock/one/one\n");
        SimClient.Result missing = ssh.exec(0, "onedb restore /nonexistent.sql");
        assertThat(missing.err()).isEqualTo("File /nonexistent.sql doesn't exist, backup restoration aborted.\n");

        ssh.exec(0, "systemctl stop opennebula");
        SimClient.Result noForce = ssh.exec(0, "onedb restore " + file);
        assertThat(noForce.exit()).isEqualTo(255);
        assertThat(noForce.err()).isEqualTo("MySQL database opennebula at localhost exists, use -f to overwrite.\n");
        SimClient.Result ok = ssh.exec(0, "onedb restore -f " + file);
        assertThat(ok.exit()).isZero();
        assertThat(ok.out()).isEqualTo("MySQL DB opennebula at localhost restored.\n");
    }

    @Test
    void onedbParsesLikeOpenNebulasCommandParser() throws Exception {
        // an option before the command: CmdParser finds no command, prints the help and exits 0, doing nothing
        String file = dir(0) + "/never.sql";
        SimClient.Result first = ssh.exec(0, "onedb -v backup " + file);
        assertThat(first.exit()).isZero();
        assertThat(first.out()).startsWith("Usage: onedb");
        assertThat(Files.exists(Path.of(file))).isFalse();
        // options belong to commands: --federated is backup's and restore's, -b upgrade's and fsck's
        SimClient.Result fed = ssh.exec(0, "onedb upgrade -v --federated");
        assertThat(fed.exit()).isEqualTo(255);
        assertThat(fed.err()).isEqualTo("invalid option: --federated\n");
        assertThat(ssh.exec(0, "onedb backup -b x " + file).err()).isEqualTo("invalid option: -b\n");
        assertThat(ssh.exec(0, "onedb version -f").exit()).isEqualTo(255);
        SimClient.Result noFile = ssh.exec(0, "onedb restore -v --federated");
        assertThat(noFile.exit()).isEqualTo(255);
        assertThat(noFile.err()).contains("requires one parameter");
        assertThat(ssh.exec(0, "onedb fsck extra").err()).contains("Wrong number of arguments");
    }

    @Test
    void onedbVersionExitCodes() throws Exception {
        assertThat(ssh.exec(0, "onedb version").exit()).isZero();
        ssh.exec(0, "echo 7.0.0 > sim/db/shared_version");
        SimClient.Result newer = ssh.exec(0, "onedb version");
        assertThat(newer.exit()).isEqualTo(3);
        assertThat(newer.out()).contains("WARNING: Source version is lower than DB version");
        ssh.exec(0, "echo 6.8.0 > sim/db/shared_version");
        SimClient.Result older = ssh.exec(0, "onedb version");
        assertThat(older.exit()).isEqualTo(2);
        assertThat(older.out()).contains("Update required. Expected DB version is:");
        // db_versioning gone but oneadmin in user_pool: read_db_version falls back to 2.0 (onedb_backend.rb)
        ssh.exec(0, "rm sim/db/shared_version");
        SimClient.Result noVersioning = ssh.exec(0, "onedb version -v");
        assertThat(noVersioning.exit()).isEqualTo(2);
        assertThat(noVersioning.out()).startsWith("Shared tables version:   2.0\n").doesNotContain("Local tables version");
        ssh.exec(0, "sed -i '/^INSERT INTO user_pool VALUES(0,/d' sim/db/fed_tables");
        SimClient.Result none = ssh.exec(0, "onedb version");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("Database is not correctly bootstraped.\n");
    }

    /**
     * onedb_backend.rb (one-6.10, one-7.0) SQLiteBackend#restore runs {@code sqlite3 one.db < file} and ignores
     * its exit status: a federated dump cut short (here before db_versioning's row) or of the other backend
     * restores partly or nothing, and onedb still says "restored" and exits 0. Only the versions read back tell.
     */
    @Test
    void onedbSqliteRestoreOfABrokenFederatedDumpStillSaysRestoredAndExitsZero() throws Exception {
        sim.close();
        sim = SimulatedFederation.start(new SimulationSpec("sqlite", "pw", "dbpw", 5, java.util.List.of(
                SimulationSpec.ZoneSpec.single(0, "M", true, "6.10.0", "7.0.0").withDbBackend("sqlite"),
                SimulationSpec.ZoneSpec.single(100, "S", false, "6.10.0", "7.0.0").withDbBackend("sqlite"))),
                tmp.resolve("sqlite"));
        ssh = new SimClient(sim);
        ssh.exec(0, "echo 7.0.0 > sim/db/shared_version && echo \"INSERT INTO user_pool VALUES(7,'from-master');\" >> sim/db/fed_tables");
        String full = dir(0) + "/fed.bck";
        assertThat(ssh.exec(0, "onedb backup --federated " + full).exit()).isZero();
        String dump = Files.readString(Path.of(full));
        assertThat(dump).contains("INSERT INTO db_versioning VALUES(0,'7.0.0',");
        ssh.exec(100, "systemctl stop opennebula");

        // a complete dump: the master's tables and shared version arrive
        String good = dir(100) + "/good.bck";
        Files.writeString(Path.of(good), dump);
        SimClient.Result ok = ssh.exec(100, "onedb restore " + good + " -v --federated");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ssh.exec(100, "onedb version -v").out()).contains("Shared tables version:   7.0.0");
        assertThat(Files.readString(sim.serverDir(100).resolve("sim/db/fed_tables"))).contains("from-master");

        // cut before db_versioning: the DROPs and the first tables ran, the shared version is gone
        ssh.exec(100, "echo 6.10.0 > sim/db/shared_version");
        String cut = dir(100) + "/cut.bck";
        Files.writeString(Path.of(cut), dump.substring(0, dump.indexOf("INSERT INTO db_versioning")));
        SimClient.Result partial = ssh.exec(100, "onedb restore " + cut + " -v --federated");
        assertThat(partial.exit()).isZero();
        assertThat(partial.out()).isEqualTo("Sqlite database backup restored in " + dir(100) + "/var/lib/one/one.db\n");
        SimClient.Result after = ssh.exec(100, "onedb version -v");
        assertThat(after.out()).startsWith("Shared tables version:   2.0\n");

        // garbage: sqlite3 complains, onedb still "restores"
        String junk = dir(100) + "/junk.bck";
        Files.writeString(Path.of(junk), "-- FEDERATED\nthis is not SQL;\n");
        SimClient.Result garbage = ssh.exec(100, "onedb restore " + junk + " -v --federated");
        assertThat(garbage.exit()).isZero();
        assertThat(garbage.err()).contains("Error: near line 2: syntax error");
        assertThat(garbage.out()).startsWith("Sqlite database backup restored in ");
    }

    @Test
    void onedbMysqlRestoreStopsAtTheFirstErrorAndFails() throws Exception {
        String full = dir(0) + "/fed.sql";
        assertThat(ssh.exec(0, "onedb backup --federated " + full).exit()).isZero();
        ssh.exec(100, "systemctl stop opennebula");
        String junk = dir(100) + "/junk.sql";
        Files.writeString(Path.of(junk), Files.readString(Path.of(full)).replace("INSERT INTO zone_pool", "INSRT INTO zone_pool"));
        String pw = Files.readString(sim.dbPasswordFile()).strip();
        SimClient.Result r = ssh.exec(100, "ONE_DB_PASSWORD=" + pw + " onedb restore " + junk
                + " -v --federated -t mysql -S localhost -u oneadmin -d opennebula");
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.err()).contains("ERROR 1064 (42000) at line").contains("Error while restoring MySQL DB opennebula at localhost.");
    }

    @Test
    void onedbMysqlPasswordComesFromOptionsOrEnvironmentAndIsNeverPromptedForSilently() throws Exception {
        String pw = Files.readString(sim.dbPasswordFile()).strip();
        String opts = " -t mysql -S localhost -u oneadmin -d opennebula";
        SimClient.Result viaEnv = ssh.exec(0, null, "read -r ONE_DB_PASSWORD; export ONE_DB_PASSWORD; onedb version" + opts, pw + "\n");
        assertThat(viaEnv.exit()).as(viaEnv.err()).isZero();
        SimClient.Result wrong = ssh.exec(0, "ONE_DB_PASSWORD=nope onedb version" + opts);
        assertThat(wrong.exit()).isEqualTo(255);
        assertThat(wrong.err()).contains("Access denied for user 'oneadmin'@'localhost'");
        // no password anywhere: onedb prompts and fails on the closed stdin
        SimClient.Result prompt = ssh.exec(0, "onedb version" + opts + " </dev/null");
        assertThat(prompt.exit()).isEqualTo(255);
        assertThat(prompt.out()).startsWith("MySQL Password: ");
        // -p value never reaches the command log
        ssh.exec(0, "onedb version" + opts + " -p " + pw);
        assertThat(sim.commandLog(0, "onedb")).noneMatch(l -> l.contains(pw)).anyMatch(l -> l.contains("-p ***"));
    }

    @Test
    void onedbUpgradeNeedsStoppedOnedAndSaysWhenUpToDate() throws Exception {
        SimClient.Result upToDate;
        ssh.exec(0, "systemctl stop opennebula");
        upToDate = ssh.exec(0, "onedb upgrade -v");
        assertThat(upToDate.exit()).isZero();
        assertThat(upToDate.out()).isEqualTo("Database schema is up to date.\n");
        ssh.exec(0, "systemctl start opennebula");
        SimClient.Result running = ssh.exec(0, "onedb upgrade -v");
        assertThat(running.exit()).isEqualTo(255);
        assertThat(running.err()).startsWith("First stop OpenNebula.");
        SimClient.Result fsck = ssh.exec(0, "onedb fsck");
        assertThat(fsck.exit()).isEqualTo(255);
    }

    @Test
    void packageUpgradeFollowsTheRepositoryFile() throws Exception {
        String repo = dir(0) + "/etc/apt/sources.list.d/opennebula.list";
        assertThat(Files.readString(Path.of(repo))).contains("/repo/6.10/Debian/12");
        // the repository still offers the installed series: nothing to upgrade
        SimClient.Result same = ssh.exec(0, "apt-get update && apt-get install --only-upgrade -y opennebula");
        assertThat(same.out()).contains("opennebula is already the newest version (6.10.0.1-1).");
        // a series the repository does not have
        ssh.exec(0, "echo 'deb https://downloads.opennebula.io/repo/9.9/Debian/12 stable opennebula' > " + repo);
        SimClient.Result missing = ssh.exec(0, "apt-get update");
        assertThat(missing.exit()).isEqualTo(100);
        assertThat(missing.err()).contains("does not have a Release file");
        ssh.exec(0, "echo 'deb [signed-by=/etc/apt/keyrings/opennebula.gpg] https://downloads.opennebula.io/repo/7.0/Debian/12"
                + " stable opennebula' > " + repo);
        // the 7.0 repository serves 7.0.0 and 7.0.1: a series install takes the newest
        SimClient.Result up = ssh.exec(0, "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install --only-upgrade -y"
                + " -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
                + " opennebula opennebula-gate not-installed-pkg && dpkg-query -W -f='${Version}\\n' opennebula");
        assertThat(up.exit()).as(up.err()).isZero();
        assertThat(up.out()).contains("Skipping not-installed-pkg, it is not installed and only upgrades are requested.")
                .contains("Setting up opennebula (7.0.1-1) ...").endsWith("7.0.1-1\n");
        assertThat(sim.installedVersion(0)).isEqualTo("7.0.1");
        // 7.0 ships no scheduler, Sunstone or noVNC unit
        SimClient.Result gone = ssh.exec(0, "systemctl stop opennebula-sunstone");
        assertThat(gone.exit()).isEqualTo(5);
        assertThat(ssh.exec(0, "dpkg-query -W nothing").exit()).isEqualTo(1);
        // the host's own package tools are shadowed: nothing reaches the real apt or dpkg
        assertThat(ssh.exec(0, "command -v apt; command -v dpkg").out()).isEqualTo(sim.binDir() + "/apt\n" + sim.binDir() + "/dpkg\n");
        assertThat(ssh.exec(0, "dpkg -s opennebula").out()).contains("Version: 7.0.1-1");
        // packages left out of the transaction keep their version
        assertThat(ssh.exec(0, "dpkg -s opennebula-flow").out()).contains("Version: 6.10.0.1-1");
        assertThat(ssh.exec(0, "dpkg -i x.deb").exit()).isEqualTo(2);
    }

    @Test
    void aptRemoveTakesInstalledPackagesAndRefusesWhatAptRefuses() throws Exception {
        String repo = dir(0) + "/etc/apt/sources.list.d/opennebula.list";
        ssh.exec(0, "sed -i 's#/repo/6.10/#/repo/7.0/#' " + repo);
        SimClient.Result up = ssh.exec(0, "apt-get update && apt-get install -y -o Dpkg::Options::=--force-confold"
                + " opennebula opennebula-migration");
        assertThat(up.exit()).as(up.err()).isZero();
        assertThat(ssh.exec(0, "dpkg-query -W -f='${Package}\\n' opennebula-migration").out()).isEqualTo("opennebula-migration\n");
        // a name apt does not know: refused, nothing removed
        SimClient.Result unknown = ssh.exec(0, "apt-get remove -y opennebula-migration no-such-package");
        assertThat(unknown.exit()).isEqualTo(100);
        assertThat(unknown.err()).contains("E: Unable to locate package no-such-package");
        // without -y apt asks, and with no terminal it aborts
        SimClient.Result asked = ssh.exec(0, "apt-get remove opennebula-migration");
        assertThat(asked.exit()).isEqualTo(1);
        assertThat(asked.out()).contains("The following packages will be REMOVED:").contains("Abort.");
        assertThat(Files.readAllLines(sim.serverDir(0).resolve("sim/packages"))).contains("opennebula-migration");
        SimClient.Result removed = ssh.exec(0, "apt-get remove -y opennebula-migration opennebula-provision");
        assertThat(removed.exit()).as(removed.err()).isZero();
        assertThat(removed.out()).contains("Package 'opennebula-provision' is not installed, so not removed")
                .contains("1 to remove").contains("Removing opennebula-migration (7.0.1-1) ...");
        assertThat(Files.readAllLines(sim.serverDir(0).resolve("sim/packages"))).doesNotContain("opennebula-migration")
                .contains("opennebula");
        assertThat(ssh.exec(0, "dpkg-query -W opennebula-migration").exit()).isEqualTo(1);
        // nothing left to remove: apt says so and succeeds
        assertThat(ssh.exec(0, "apt-get remove -y opennebula-migration").out())
                .contains("Package 'opennebula-migration' is not installed, so not removed").contains("0 to remove");
    }

    /** One AlmaLinux zone (dnf and rpm) on 6.10.0 with a 7.0 repository, instead of the guide's Debian zones. */
    private void restartOnAlmaLinux(String name) throws Exception {
        sim.close();
        SimulationSpec spec = new SimulationSpec(name, "pw", "dbpw", 1, java.util.List.of(
                SimulationSpec.ZoneSpec.single(0, "ALMA", true, "6.10.0", "7.0.0")
                        .withOsFamily(io.onefed.upgrade.federation.OsFamily.ALMALINUX).withDbBackend("sqlite")));
        sim = SimulatedFederation.start(spec, tmp.resolve(name));
        ssh = new SimClient(sim);
    }

    @Test
    void dnfRemoveSkipsWhatIsNotInstalled() throws Exception {
        restartOnAlmaLinux("rhel-rm");
        SimClient.Result none = ssh.exec(0, "dnf -y remove opennebula-migration");
        assertThat(none.exit()).isZero();
        assertThat(none.out()).contains("No match for argument: opennebula-migration").contains("Nothing to do.");
        SimClient.Result removed = ssh.exec(0, "dnf -y remove opennebula-gate");
        assertThat(removed.exit()).as(removed.err()).isZero();
        assertThat(removed.out()).contains("Removed:").contains("Complete!");
        assertThat(ssh.exec(0, "rpm -q opennebula-gate").exit()).isNotZero();
    }

    @Test
    void dnfAndRpmOnRhelFamilies() throws Exception {
        restartOnAlmaLinux("rhel");
        String repo = dir(0) + "/etc/yum.repos.d/opennebula.repo";
        assertThat(ssh.exec(0, "rpm -q --qf '%{VERSION}\\n' opennebula").out()).isEqualTo("6.10.0\n");
        ssh.exec(0, "sed -i 's#/repo/6.10/#/repo/7.0/#' " + repo);
        SimClient.Result up = ssh.exec(0, "dnf -y upgrade opennebula opennebula-flow && rpm -q --qf '%{VERSION}\\n' opennebula");
        assertThat(up.exit()).as(up.err()).isZero();
        assertThat(up.out()).contains("Complete!").endsWith("7.0.0\n");
        // the packages left out of that transaction are still at 6.10: a full upgrade takes them, then nothing is left
        assertThat(ssh.exec(0, "yum upgrade -y").out()).contains(" opennebula-common    x86_64    7.0.0-1.el9")
                .doesNotContain(" opennebula-flow ");
        assertThat(ssh.exec(0, "yum upgrade -y").out()).contains("Nothing to do.");
        assertThat(ssh.exec(0, "onedb backup").out()).containsPattern("Sqlite database backup stored in .*/var/lib/one/one\\.db_.*\\.bck");
    }

    @Test
    void openNebulaRefusesToStartOnADatabaseVersionMismatch() throws Exception {
        String repo = dir(0) + "/etc/apt/sources.list.d/opennebula.list";
        ssh.exec(0, "systemctl stop opennebula && sed -i 's#/repo/6.10/#/repo/7.0/#' " + repo
                + " && apt-get update >/dev/null && apt-get install --only-upgrade -y -o Dpkg::Options::=--force-confdef"
                + " -o Dpkg::Options::=--force-confold opennebula >/dev/null");
        SimClient.Result start = ssh.exec(0, "systemctl start opennebula");
        assertThat(start.exit()).isEqualTo(1);
        assertThat(start.err()).startsWith("Job for opennebula.service failed because the control process exited with error code.");
        assertThat(Files.readString(sim.serverDir(0).resolve("var/log/one/oned.log"))).contains("Database version mismatch");
        assertThat(sim.apiOpen(0)).isFalse();
        assertThat(ssh.exec(0, "onedb version").exit()).isEqualTo(2);
    }

    @Test
    void cliCommandsTalkToTheLocalOned() throws Exception {
        assertThat(ssh.exec(0, "onehost list").out()).contains("kvm-m-eu-fr-1").contains(" on");
        assertThat(ssh.exec(0, "onehost disable 0").exit()).isZero();
        assertThat(ssh.exec(0, "onehost list").out()).contains("dsbl");
        assertThat(ssh.exec(0, "onevm list").out()).contains("vm-0-0").contains("runn");
        SimClient.Result zones = ssh.exec(100, "onezone list");
        assertThat(zones.out()).contains("M-EU-FR").contains("715438").containsPattern("\\*\\s+100 S-EU-GE");
        ssh.exec(0, "systemctl stop opennebula");
        SimClient.Result down = ssh.exec(0, "onehost list");
        assertThat(down.exit()).isEqualTo(255);
        assertThat(down.err()).contains("Connection refused");
        SimClient.Result syncDown = ssh.exec(0, "runuser -u oneadmin -- onehost sync --force");
        assertThat(syncDown.exit()).isEqualTo(255);
        assertThat(syncDown.err()).contains("Connection refused");
    }

    /** The orchestrator names thousands of hosts as OpenNebula's ranges (0..2999); the simulated CLI takes them too. */
    @Test
    void onehostSyncTakesOpenNebulasRangeForm() throws Exception {
        SimClient.Result sync = ssh.exec(0, "runuser -u oneadmin -- onehost sync --force 0..1");
        assertThat(sync.exit()).as(sync.err()).isZero();
        assertThat(sync.out()).contains("* Adding kvm-m-eu-fr-1 to upgrade").contains("* Adding kvm-m-eu-fr-2 to upgrade");
        SimClient.Result one = ssh.exec(0, "runuser -u oneadmin -- onehost sync --force 1..1");
        assertThat(one.out()).contains("* Adding kvm-m-eu-fr-2 to upgrade").doesNotContain("kvm-m-eu-fr-1");
    }

    /**
     * Catches the old SYNC_HOSTS command {@code onehost sync --force} run as the SSH user root: the real CLI refuses
     * uid 0 (onehost_helper.rb), and so does the simulation now; the command the orchestrator sends runs it as
     * oneadmin. OFFLINE hosts are never synced, even with --force; without it hosts already at the version are left.
     */
    @Test
    void onehostSyncRefusesRootAndRunsAsOneadminNeverOnOfflineHosts() throws Exception {
        SimClient.Result asRoot = ssh.exec(0, "onehost sync --force");
        assertThat(asRoot.exit()).isEqualTo(255);
        assertThat(asRoot.err()).isEqualTo("Cannot run 'onehost sync' as root\n");
        Path synced = sim.serverDir(0).resolve("sim/db/hosts_synced");
        assertThat(Files.exists(synced)).isFalse();

        assertThat(ssh.exec(0, "onehost offline 1").exit()).isZero();
        SimClient.Result sync = ssh.exec(0, io.onefed.upgrade.steps.ZoneCommands.syncHosts().rendered());
        assertThat(sync.exit()).as(sync.err()).isZero();
        assertThat(sync.out()).contains("* Adding kvm-m-eu-fr-1 to upgrade").doesNotContain("kvm-m-eu-fr-2")
                .contains("All hosts updated successfully.");
        assertThat(Files.readString(synced.resolve("0"))).isEqualTo("6.10.0.1\n");
        assertThat(Files.exists(synced.resolve("1"))).as("an OFFLINE host is never synced").isFalse();
        assertThat(sim.commandLog(0, "runuser")).hasSize(1);

        // without --force a host already at the front-end's version is left out; with it, it is synced again
        assertThat(ssh.exec(0, "runuser -u oneadmin -- onehost sync").out()).contains("No hosts are going to be updated.");
        assertThat(ssh.exec(0, "su oneadmin -s /bin/sh -c 'onehost sync --force'").out())
                .contains("* Adding kvm-m-eu-fr-1 to upgrade");

        // only root may switch users, as with util-linux's runuser and su (no terminal for a password)
        SimClient.Result nested = ssh.exec(0, "runuser -u oneadmin -- runuser -u root -- true");
        assertThat(nested.exit()).isEqualTo(1);
        assertThat(nested.err()).isEqualTo("runuser: may not be used by non-root users\n");
        assertThat(ssh.exec(0, "runuser -u oneadmin -- su root -c true").exit()).isEqualTo(1);
        assertThat(ssh.exec(0, "runuser -u nobody-here -- true").err()).contains("does not exist");
    }

    @Test
    void everyCallIsLoggedOnceWithItsArguments() throws Exception {
        ssh.exec(0, "onedb version >/dev/null; systemctl is-active opennebula >/dev/null");
        assertThat(sim.commandLog(0, "onedb")).hasSize(1).allMatch(l -> l.matches("\\S+Z onedb version"));
        assertThat(sim.commandLog(0, "systemctl")).hasSize(1);
        assertThat(sim.commandLog(100, "onedb")).isEmpty();
    }

    @Test
    void detachedProcessesOutliveTheChannelAndPlainOnesAreEnded() throws Exception {
        SimClient.Result started = ssh.exec(0, "mkdir -p run && (setsid nohup sh -c 'sleep 0.5; onedb version > run/out;"
                + " echo $? > run/rc' >/dev/null 2>&1 &) ; echo started");
        assertThat(started.out()).isEqualTo("started\n");
        Path rc = sim.serverDir(0).resolve("run/rc");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> Files.exists(rc) && Files.readString(rc).equals("0\n"));
        assertThat(Files.readString(sim.serverDir(0).resolve("run/out"))).contains("Shared: 6.10.0");

        // a plain exec whose channel closes is terminated, as sshd's session processes are
        com.jcraft.jsch.Session session = ssh.session(0, null);
        com.jcraft.jsch.ChannelExec ch = (com.jcraft.jsch.ChannelExec) session.openChannel("exec");
        ch.setCommand("trap 'echo term > killed; exit 143' TERM; echo ready > ready; sleep 30 & wait");
        ch.connect(5_000);
        Path ready = sim.serverDir(0).resolve("ready");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> Files.exists(ready));
        session.disconnect();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> Files.exists(sim.serverDir(0).resolve("killed")));
    }

    @Test
    void sftpPathsAreRealAndRelativeOnesStartAtTheServersDirectory() throws Exception {
        ssh.upload(0, "relative.txt", "hello".getBytes());
        assertThat(Files.readString(sim.serverDir(0).resolve("relative.txt"))).isEqualTo("hello");
        String abs = sim.serverDir(0).resolve("var/lib/one/abs.txt").toString();
        ssh.upload(0, abs, "x".getBytes());
        assertThat(new String(ssh.download(0, abs))).isEqualTo("x");
        assertThat(ssh.exec(0, null, "read -r a; sha256sum " + abs + " | cut -c1-8; echo \"$a\"", "from-stdin\n").out())
                .isEqualTo("2d711642\nfrom-stdin\n");
    }

    /**
     * The benchmark's floor from the hosts: every simulated command logs its start, exit stamp and status in
     * command-times.log (the EXIT trap of sim_begin); runuser logs its own line before it execs the command.
     */
    @Test
    void everySimulatedCommandLogsItsStartExitStampAndStatus() throws Exception {
        sim.faults().latency(java.time.Duration.ofMillis(200));
        assertThat(ssh.exec(0, "systemctl is-active --quiet opennebula-nonexistent").exit()).isEqualTo(3);
        assertThat(ssh.exec(0, "runuser -u oneadmin -- onehost list").exit()).isZero();
        java.util.List<String> lines = java.nio.file.Files.readAllLines(sim.serverDir(0).resolve("command-times.log"));
        assertThat(lines).hasSize(3);
        java.util.List<String[]> f = lines.stream().map(l -> l.split(" ", 4)).toList();
        assertThat(f).extracting(x -> x[3] + " " + x[2]).containsExactly("systemctl 3", "runuser 0", "onehost 0");
        for (String[] x : f) {
            java.time.Duration took = java.time.Duration.between(java.time.Instant.parse(x[0]), java.time.Instant.parse(x[1]));
            assertThat(took).as(String.join(" ", x)).isGreaterThanOrEqualTo(java.time.Duration.ofMillis(200));
        }
        // runuser's line ends where the command it runs begins
        assertThat(java.time.Instant.parse(f.get(1)[1])).isBeforeOrEqualTo(java.time.Instant.parse(f.get(2)[0]));
    }
}
