package io.onefed.upgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.steps.HostCommand;
import io.onefed.upgrade.steps.OneVersion;
import io.onefed.upgrade.steps.StepContext;
import io.onefed.upgrade.steps.ZoneCommands;
import io.onefed.upgrade.steps.ZoneStep;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The guide's federated upgrade done "by hand" with exactly the commands the orchestrator renders
 * ({@link ZoneCommands}) against the configuration the simulation hands out, over real SSH and SFTP.
 */
class SimulatedUpgradePathTest extends GuideSimulationTestBase {

    final ZoneCommands commands = new ZoneCommands();
    final OneVersion from = OneVersion.parse("6.10.0.1");
    final OneVersion to = OneVersion.parse("7.0.0");

    private ZoneProperties zone(int id) {
        return sim.toFederationProperties().zones().stream().filter(z -> z.id() == id).findFirst().orElseThrow();
    }

    private StepContext ctx(int id, String federatedBackup) {
        // the approved exact version: the 7.0 repository also offers 7.0.1, which an unpinned install would take;
        // the master's shared tables version after its upgrade, as ChecksumBackup reads it
        return new StepContext("upg-1", zone(id), from, to, null, federatedBackup, "7.0.0-1",
                federatedBackup == null ? null : "7.0.0", null);
    }

    /** Runs a step's commands; a secret env reaches the shell over stdin, as the SSH layer passes it. */
    private List<SimClient.Result> run(ZoneStep step, StepContext ctx) throws Exception {
        return run(step, ctx, true);
    }

    private List<SimClient.Result> run(ZoneStep step, StepContext ctx, boolean mustSucceed) throws Exception {
        List<SimClient.Result> results = new java.util.ArrayList<>();
        for (List<HostCommand> group : commands.commands(step, ctx)) {
            for (HostCommand hc : group) {
                RemoteCommand c = hc.command();
                if (c.rendered().contains("onedb ") && c.rendered().contains(" -t mysql") && c.secretEnv().isEmpty()) {
                    // ZoneCommands (e3e400c) renders RESTORE_FEDERATED without the DB secret: onedb would prompt
                    // for the MySQL password (the simulator fails it as onedb does). Reported; supplied here.
                    c = c.withSecretEnv("ONE_DB_PASSWORD", ctx.zone().database().password());
                }
                StringBuilder prefix = new StringBuilder();
                StringBuilder stdin = new StringBuilder();
                for (Map.Entry<String, io.onefed.upgrade.federation.SecretRef> e : c.secretEnv().entrySet()) {
                    prefix.append("IFS= read -r ").append(e.getKey()).append("; export ").append(e.getKey()).append("; ");
                    stdin.append(new String(new SecretResolver().resolve(e.getValue(), e.getKey()))).append('\n');
                }
                SimClient.Result r = ssh.exec(hc.target().zoneId(), hc.target().serverName(),
                        prefix + c.rendered(), stdin.toString());
                if (mustSucceed) {
                    assertThat(r.exit()).as(step + " on zone " + hc.target().zoneId() + ": " + r.out() + r.err()).isZero();
                }
                results.add(r);
            }
        }
        return results;
    }

    private void upgradeZone(int id, String federatedBackup) throws Exception {
        StepContext ctx = ctx(id, federatedBackup);
        assertThat(run(ZoneStep.STOP_SERVICES, ctx).get(0).out()).contains("stopped opennebula\n");
        assertThat(sim.apiOpen(id)).isFalse();
        // zone-upgrade's order: the zone's own backups first, then (slave) the federated restore
        run(ZoneStep.BACKUP_CONFIG, ctx);
        run(ZoneStep.BACKUP_DB, ctx);
        if (federatedBackup != null) {
            assertThat(run(ZoneStep.RESTORE_FEDERATED, ctx).get(0).out())
                    .contains("federated restore verified: shared tables version 7.0.0, as on the master");
        }
        run(ZoneStep.SWITCH_REPOSITORY, ctx);
        assertThat(run(ZoneStep.UPGRADE_PACKAGES, ctx).get(0).out()).endsWith("7.0.0-1\n");
        run(ZoneStep.UPGRADE_CONFIG, ctx);
        assertThat(run(ZoneStep.UPGRADE_DB, ctx).get(0).out()).contains(">>> Running migrators for local tables");
        // onedb names its automatic backups to the second and refuses an existing one (as the real onedb does):
        // upgrade and fsck within one second collide, so let the second pass
        long second = java.time.Instant.now().getEpochSecond();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2))
                .until(() -> java.time.Instant.now().getEpochSecond() > second);
        run(ZoneStep.CHECK_DB, ctx);
        run(ZoneStep.START_SERVICES, ctx);
    }

    @Test
    void masterThenSlaveWithTheFederatedBackupCarriedOverSftp() throws Exception {
        upgradeZone(0, null);
        assertThat(sim.dbSharedVersion(0)).isEqualTo("7.0.0");
        assertThat(sim.unitActive(0, "opennebula-flow")).isTrue();
        assertThat(sim.unitActive(0, "opennebula-sunstone")).isFalse();
        assertThat(SimClient.rpc(sim.endpoint(0), "one.system.version", SimClient.str(sim.oneadminSession())))
                .contains("<string>7.0.0</string>");

        run(ZoneStep.FEDERATED_BACKUP, ctx(0, null));
        String backup = ZoneCommands.federatedBackupPath(ctx(0, null));
        byte[] dump = ssh.download(0, backup);
        assertThat(new String(dump)).contains("-- FEDERATED").contains("shared_version: 7.0.0");

        // the slave's own layout: same path under its directory
        String slavePath = ZoneCommands.upgradeDir(ctx(100, null)) + "/federated-from-zone-0.sql";
        ssh.exec(100, "mkdir -p " + ZoneCommands.upgradeDir(ctx(100, null)));
        ssh.upload(100, slavePath, dump);

        upgradeZone(100, slavePath);
        assertThat(sim.dbSharedVersion(100)).isEqualTo("7.0.0");
        assertThat(sim.dbLocalVersion(100)).isEqualTo("7.0.0");
        assertThat(sim.apiOpen(100)).isTrue();
        assertThat(SimClient.rpc(sim.endpoint(100), "one.system.version", SimClient.str(sim.oneadminSession())))
                .contains("<string>7.0.0</string>");
        // the slave's upgrade migrated its local tables only
        assertThat(sim.commandLog(100, "onedb")).anyMatch(l -> l.contains("restore") && l.contains("--federated"));
        // its pre-upgrade backup holds its own tables (6.10), not the master's (the old order backed up after the
        // federated restore, so this file said 7.0.0)
        String before = new String(ssh.download(100, ZoneCommands.upgradeDir(ctx(100, null)) + "/zone-100-before-upgrade.sql"));
        assertThat(before).contains("-- shared_version: 6.10.0").doesNotContain("-- shared_version: 7.0.0");
    }

    /**
     * A federated restore that silently failed (SQLite: onedb ignores sqlite3's exit status) is caught by the
     * step's shared version check. The old command, {@code onedb restore <file> -v --federated} alone, exits 0.
     */
    @Test
    void aSilentlyFailedSqliteFederatedRestoreFailsTheStep() throws Exception {
        sim.close();
        sim = SimulatedFederation.start(new SimulationSpec("sqlite", "pw", "dbpw", 5, List.of(
                SimulationSpec.ZoneSpec.single(0, "M", true, "6.10.0", "7.0.0").withDbBackend("sqlite"),
                SimulationSpec.ZoneSpec.single(100, "S", false, "6.10.0", "7.0.0").withDbBackend("sqlite"))),
                tmp.resolve("sqlite"));
        ssh = new SimClient(sim);
        upgradeZone(0, null);
        run(ZoneStep.FEDERATED_BACKUP, ctx(0, null));
        String dump = new String(ssh.download(0, ZoneCommands.federatedBackupPath(ctx(0, null))));
        // cut in transit before db_versioning's row (a full disk, a truncated copy)
        String slavePath = ZoneCommands.upgradeDir(ctx(100, null)) + "/federated-from-zone-0.bck";
        ssh.exec(100, "mkdir -p " + ZoneCommands.upgradeDir(ctx(100, null)));
        ssh.upload(100, slavePath, dump.substring(0, dump.indexOf("INSERT INTO db_versioning")).getBytes());
        StepContext slave = ctx(100, slavePath);
        run(ZoneStep.STOP_SERVICES, slave);
        run(ZoneStep.BACKUP_CONFIG, slave);
        run(ZoneStep.BACKUP_DB, slave);

        SimClient.Result old = ssh.exec(100, "onedb restore " + slavePath + " -v --federated");
        assertThat(old.exit()).as("the old command passes").isZero();
        SimClient.Result step = run(ZoneStep.RESTORE_FEDERATED, slave, false).get(0);
        assertThat(step.exit()).isEqualTo(1);
        assertThat(step.err()).contains("the federated restore did not take: shared tables version is '2.0', the master's is 7.0.0");

        // the full dump arrives on a retry: the same step passes
        ssh.upload(100, slavePath, dump.getBytes());
        assertThat(run(ZoneStep.RESTORE_FEDERATED, slave).get(0).out()).contains("federated restore verified");
    }

    @Test
    void slaveUpgradeWithoutTheMastersFederatedTablesFailsAndRestores() throws Exception {
        StepContext ctx = ctx(101, null);
        run(ZoneStep.STOP_SERVICES, ctx);
        run(ZoneStep.SWITCH_REPOSITORY, ctx);
        run(ZoneStep.UPGRADE_PACKAGES, ctx);
        SimClient.Result up = ssh.exec(101, "onedb upgrade -v");
        assertThat(up.exit()).isEqualTo(255);
        assertThat(up.err()).contains("wasn't successful due to missing migration descriptors");
        assertThat(up.out()).contains("This database is a federation slave").contains("The database will be restored");
        assertThat(sim.dbLocalVersion(101)).isEqualTo("6.10.0");

        // federated tables of a 6.10 master under 7.0 code, local tables upgraded: oned cannot join
        String old = sim.serverDir(101) + "/fed-6.10.sql";
        assertThat(ssh.exec(101, "onedb backup --federated " + old).exit()).isZero();
        ssh.exec(101, "onedb upgrade -v --no-backup >/dev/null 2>&1; echo 7.0.0 > sim/db/local_version");
        SimClient.Result start = ssh.exec(101, "systemctl start opennebula");
        assertThat(start.exit()).isEqualTo(1);
        assertThat(java.nio.file.Files.readString(sim.serverDir(101).resolve("var/log/one/oned.log")))
                .contains("Cannot join federation, oned master needs upgrade.");
    }

    @Test
    void haZoneLeaderUpgradesAndFollowersRestoreItsDump() throws Exception {
        sim.close();
        sim = SimulatedFederation.start(new SimulationSpec("ha", "pw", "dbpw", 5, List.of(
                SimulationSpec.ZoneSpec.single(0, "HA", true, "6.10.0", "7.0.0").withServers(3))), tmp.resolve("ha"));
        ssh = new SimClient(sim);
        assertThat(zone(0).paths().etc()).as("HA servers map the zone path to their own directory")
                .isEqualTo(sim.root().resolve("zones/0/host/etc/one").toString());
        StepContext ctx = ctx(0, null);
        List<String> servers = sim.serverNames(0);
        run(ZoneStep.STOP_SERVICES, ctx);
        for (String s : servers) {
            assertThat(ssh.exec(0, s, "systemctl is-active opennebula", null).exit()).isEqualTo(3);
        }
        run(ZoneStep.BACKUP_CONFIG, ctx);
        run(ZoneStep.BACKUP_DB, ctx);
        run(ZoneStep.SWITCH_REPOSITORY, ctx);
        run(ZoneStep.UPGRADE_PACKAGES, ctx);
        run(ZoneStep.UPGRADE_CONFIG, ctx);
        run(ZoneStep.UPGRADE_DB, ctx);
        run(ZoneStep.DUMP_LEADER_DB, ctx);
        String dump = ZoneCommands.leaderDumpPath(ctx);
        byte[] content = ssh.download(0, dump);
        for (String follower : servers.subList(1, servers.size())) {
            ssh.exec(0, follower, "mkdir -p " + ZoneCommands.upgradeDir(ctx), null);
            ssh.upload(0, follower, dump, content);
        }
        run(ZoneStep.RESTORE_FOLLOWERS, ctx);
        // onecfg ran on the leader only (old command: on every server)
        for (String follower : servers.subList(1, servers.size())) {
            assertThat(sim.commandLog(0, follower, "onecfg")).as(follower).isEmpty();
        }
        assertThat(sim.commandLog(0, servers.get(0), "onecfg")).isNotEmpty();

        // the leader's configuration after its upgrade, which the followers must get
        java.nio.file.Path leaderEtc = sim.serverDir(0, servers.get(0)).resolve("etc/one");
        java.nio.file.Files.writeString(leaderEtc.resolve("oned.conf"),
                java.nio.file.Files.readString(leaderEtc.resolve("oned.conf")) + "\n# merged by the leader's onecfg\n");
        java.nio.file.Files.writeString(leaderEtc.resolve("sched.conf"), "MAX_VM = 5000\n");
        java.nio.file.Files.writeString(sim.serverDir(0, servers.get(0)).resolve("var/lib/one/remotes/etc/vmm/kvm/kvmrc"),
                "export LIBVIRT_URI=qemu:///system\nexport QEMU_PROTOCOL=qemu+ssh\n");
        run(ZoneStep.PACK_LEADER_CONFIG, ctx);
        String archive = ZoneCommands.leaderConfigPath(ctx);
        byte[] packed = ssh.download(0, archive);
        for (String follower : servers.subList(1, servers.size())) {
            ssh.upload(0, follower, archive, packed);
        }
        run(ZoneStep.APPLY_LEADER_CONFIG, ctx);
        // and a retry of the same step finds the same result (idempotent)
        run(ZoneStep.APPLY_LEADER_CONFIG, ctx);
        for (int i = 1; i < servers.size(); i++) {
            String follower = servers.get(i);
            java.nio.file.Path dir = sim.serverDir(0, follower);
            String conf = java.nio.file.Files.readString(dir.resolve("etc/one/oned.conf"));
            assertThat(conf).as(follower).contains("# merged by the leader's onecfg").containsPattern("SERVER_ID *= " + i + ",");
            assertThat(java.nio.file.Files.readString(dir.resolve("etc/one/sched.conf"))).isEqualTo("MAX_VM = 5000\n");
            assertThat(java.nio.file.Files.readString(dir.resolve("var/lib/one/remotes/etc/vmm/kvm/kvmrc"))).contains("QEMU_PROTOCOL");
            assertThat(sim.owner(0, follower, "etc/one")).isEqualTo("oneadmin:oneadmin");
            assertThat(sim.owner(0, follower, "etc/one/oned.conf")).isEqualTo("oneadmin:oneadmin");
            assertThat(sim.owner(0, follower, "var/lib/one/remotes/etc/vmm/kvm/kvmrc")).isEqualTo("oneadmin:oneadmin");
        }
        run(ZoneStep.START_SERVICES, ctx);
        for (String s : servers) {
            String raft = SimClient.rpc(sim.endpoint(0, s), "one.system.version", SimClient.str(sim.oneadminSession()));
            assertThat(raft).as(s).contains("<string>7.0.0</string>");
            assertThat(java.nio.file.Files.readString(sim.serverDir(0, s).resolve("sim/db/local_version"))).isEqualTo("7.0.0\n");
        }

        // post-check "in sync": one leader, each server its own SERVER_ID, every follower at the leader's LOG_INDEX
        io.onefed.upgrade.steps.PostChecks checks = postChecks();
        assertThat(haCheck(checks)).as(haCheck(checks).detail()).satisfies(c -> assertThat(c.passed()).isTrue());
        sim.faults().raftLag(0, servers.get(2), 4);
        io.onefed.upgrade.steps.Check lagging = haCheck(checks);
        assertThat(lagging.passed()).isFalse();
        assertThat(lagging.detail()).contains(servers.get(2) + " LOG_INDEX 0 is behind the leader's 4");
        sim.faults().raftCatchUp(0, servers.get(2));
        assertThat(haCheck(checks).passed()).isTrue();

        // a copy that kept the leader's SERVER_ID (rsync without the guide's note): oned starts, raftstatus shows it
        String follower = servers.get(1);
        java.nio.file.Files.copy(leaderEtc.resolve("oned.conf"), sim.serverDir(0, follower).resolve("etc/one/oned.conf"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(ssh.exec(0, follower, "systemctl restart opennebula", null).exit()).isZero();
        io.onefed.upgrade.steps.Check duplicate = haCheck(checks);
        assertThat(duplicate.passed()).isFalse();
        assertThat(duplicate.detail()).contains(follower + " answers as SERVER_ID 0 but the zone lists it as 1");
        // and the apply step refuses a follower whose saved SERVER_ID is the leader's
        ssh.exec(0, follower, "sed -i 's/SERVER_ID     = 1,/SERVER_ID     = 0,/' " + ZoneCommands.upgradeDir(ctx) + "/etc-one/oned.conf", null);
        List<SimClient.Result> refused = run(ZoneStep.APPLY_LEADER_CONFIG, ctx, false);
        assertThat(refused.get(0).exit()).isEqualTo(1);
        assertThat(refused.get(0).err()).contains("this follower's SERVER_ID 0 is the leader's");
    }

    private io.onefed.upgrade.steps.PostChecks postChecks() {
        io.onefed.upgrade.federation.FederationProperties f = sim.toFederationProperties();
        return new io.onefed.upgrade.steps.PostChecks(f,
                new io.onefed.upgrade.opennebula.DefaultOneClients(f, new SecretResolver(),
                        io.onefed.upgrade.opennebula.OneClientProperties.defaults()));
    }

    private static io.onefed.upgrade.steps.Check haCheck(io.onefed.upgrade.steps.PostChecks checks) {
        return checks.run("7.0.0", java.util.Set.of()).checks().stream()
                .filter(c -> c.name().equals("HA servers in sync")).findFirst().orElseThrow();
    }
}
