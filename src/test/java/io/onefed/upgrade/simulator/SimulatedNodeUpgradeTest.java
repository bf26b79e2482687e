package io.onefed.upgrade.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.federation.NodeProperties;
import io.onefed.upgrade.federation.SecretResolver;
import io.onefed.upgrade.federation.ZoneProperties;
import io.onefed.upgrade.opennebula.DefaultOneClients;
import io.onefed.upgrade.opennebula.OneClientProperties;
import io.onefed.upgrade.ssh.JschDetachedRuns;
import io.onefed.upgrade.ssh.JschRemoteShell;
import io.onefed.upgrade.ssh.JschSessions;
import io.onefed.upgrade.ssh.SshException;
import io.onefed.upgrade.ssh.SshTarget;
import io.onefed.upgrade.steps.HostCommand;
import io.onefed.upgrade.steps.NodeHosts;
import io.onefed.upgrade.steps.OneVersion;
import io.onefed.upgrade.steps.RemoteStepRunner;
import io.onefed.upgrade.steps.StepContext;
import io.onefed.upgrade.steps.ZoneCommands;
import io.onefed.upgrade.steps.ZoneStep;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point 9 of issue 11: the zone's hypervisor hosts get the target series' node packages. Before, zone-upgrade had
 * no node step (ZoneCommands rendered nothing for the hosts), so these tests found the hosts still at 6.10.0 with
 * the old libvirtd. The hosts are read from the zone's one.hostpool.info and reached over SSH with the zone's node
 * key, through the orchestrator's own SSH layer and exactly-once runs.
 */
class SimulatedNodeUpgradeTest {

    @TempDir
    Path tmp;

    SimulatedFederation sim;
    FederationProperties federation;
    JschSessions sessions;
    RemoteStepRunner runner;
    final ZoneCommands commands = new ZoneCommands();

    @BeforeEach
    void start() {
        start(SimulatedFederation.guide(tmp));
    }

    void start(SimulatedFederation started) {
        sim = started;
        federation = sim.toFederationProperties();
        SecretResolver secrets = new SecretResolver();
        sessions = new JschSessions(federation.ssh(), secrets);
        JschRemoteShell shell = new JschRemoteShell(sessions, secrets);
        JschDetachedRuns runs = new JschDetachedRuns(shell,
                t -> t.runDir() != null ? t.runDir() : zone(t.zoneId()).paths().runDir(),
                JschRemoteShell.DEFAULT_OUTPUT_CAP, Duration.ofSeconds(30));
        runner = new RemoteStepRunner(runs, Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        sessions.close();
        sim.close();
    }

    private ZoneProperties zone(int id) {
        return federation.zones().stream().filter(z -> z.id() == id).findFirst().orElseThrow();
    }

    private String zoneNodes() {
        return new NodeHosts(federation, new DefaultOneClients(federation, new SecretResolver(),
                OneClientProperties.defaults())).read();
    }

    private StepContext ctx(ZoneProperties zone, String nodes) {
        // the approved exact version: the guide's 7.0 repository also offers 7.0.1, which an unpinned install takes
        return ctx(zone, nodes, "7.0.0-1");
    }

    private StepContext ctx(ZoneProperties zone, String nodes, String packageVersion) {
        return new StepContext("nodes-1", zone, OneVersion.parse("6.10.0.1"), OneVersion.parse("7.0.0"), null, null,
                packageVersion, null, nodes);
    }

    private RemoteStepRunner.Progress run(StepContext ctx) {
        List<List<HostCommand>> groups = commands.commands(ZoneStep.UPGRADE_NODES, ctx);
        String key = "nodes-1-z" + ctx.zone().id() + "-upgrade-nodes-a1.1";
        RemoteStepRunner.Progress p = runner.advance(key, groups);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (p.state() == RemoteStepRunner.State.RUNNING && System.nanoTime() < deadline) {
            p = runner.advance(key, groups);
        }
        return p;
    }

    @Test
    void everyHostTheZoneListsGetsTheTargetNodePackagesAndARestartedLibvirtd() {
        String nodes = zoneNodes();
        assertThat(NodeHosts.of(nodes, 0)).extracting(NodeHosts.Node::name).containsExactly("kvm-m-eu-fr-1", "kvm-m-eu-fr-2");
        assertThat(sim.nodeInstalledVersion(0, "kvm-m-eu-fr-1")).isEqualTo("6.10.0.1");

        RemoteStepRunner.Progress p = run(ctx(zone(0), nodes));
        assertThat(p.state()).as(String.valueOf(p.failure())).isEqualTo(RemoteStepRunner.State.SUCCEEDED);
        for (String host : List.of("kvm-m-eu-fr-1", "kvm-m-eu-fr-2")) {
            assertThat(sim.nodeInstalledVersion(0, host)).isEqualTo("7.0.0");
            List<String> apt = sim.nodeCommandLog(0, host, "apt-get");
            assertThat(apt).anyMatch(l -> l.contains(" install --only-upgrade -y -o Dpkg::Options::=--force-confdef"
                    + " -o Dpkg::Options::=--force-confold opennebula-node-kvm=7.0.0-1"));
            assertThat(sim.nodeCommandLog(0, host, "systemctl")).anyMatch(l -> l.endsWith(" restart libvirtd"));
        }
        assertThat(p.records()).allMatch(r -> r.stdout().contains("restarted libvirtd"));
        // the front-end itself was not touched by the node step
        assertThat(sim.installedVersion(0)).isEqualTo("6.10.0.1");

        // the same key again attaches to the finished runs: nothing runs twice
        assertThat(run(ctx(zone(0), nodes)).state()).isEqualTo(RemoteStepRunner.State.SUCCEEDED);
        assertThat(sim.nodeCommandLog(0, "kvm-m-eu-fr-1", "apt-get").stream().filter(l -> l.contains(" install "))).hasSize(1);
    }

    @Test
    void hostsRunInGroupsOfTheZonesConcurrencyAndAFailedHostIsReportedNotSkipped() {
        ZoneProperties z = zone(100);
        NodeProperties n = z.nodes();
        ZoneProperties one = new ZoneProperties(z.id(), z.name(), z.role(), z.endpoint(), z.ha(), z.osFamily(),
                z.database(), z.extraServices(), z.repository(), z.paths(), z.servers(),
                new NodeProperties(n.user(), n.privateKey(), n.port(), 1, n.osFamily(), n.repositoryFile(), n.runDir(),
                        n.packages(), n.addresses()));
        String nodes = zoneNodes();
        assertThat(commands.commands(ZoneStep.UPGRADE_NODES, ctx(one, nodes))).hasSize(2).allMatch(g -> g.size() == 1);

        sim.faults().failNextOnHost(100, "kvm-s-eu-ge-1", "apt-get", 1, 100,
                "E: Failed to fetch https://downloads.opennebula.io/repo/7.0/Debian/12/dists/stable/Release  Connection timed out");
        RemoteStepRunner.Progress p = run(ctx(one, nodes));
        assertThat(p.state()).isEqualTo(RemoteStepRunner.State.FAILED);
        assertThat(p.failure().server()).isEqualTo("kvm-s-eu-ge-1");
        // concurrency 1: the second host waits for the operator's decision on the first
        assertThat(sim.nodeInstalledVersion(100, "kvm-s-eu-ge-2")).isEqualTo("6.10.0.1");
    }

    @Test
    void hostsAreReachedThroughTheLeaderFrontEndAsAJumpHost() {
        ZoneProperties z = zone(101);
        NodeProperties n = z.nodes();
        ZoneProperties viaFrontEnd = new ZoneProperties(z.id(), z.name(), z.role(), z.endpoint(), z.ha(), z.osFamily(),
                z.database(), z.extraServices(), z.repository(), z.paths(), z.servers(),
                new NodeProperties(n.user(), n.privateKey(), n.port(), n.concurrency(), n.osFamily(), n.repositoryFile(),
                        n.runDir(), n.packages(), n.addresses(), NodeProperties.VIA_FRONT_END));
        List<List<HostCommand>> groups = commands.commands(ZoneStep.UPGRADE_NODES, ctx(viaFrontEnd, zoneNodes()));
        assertThat(groups.get(0)).allSatisfy(hc -> assertThat(hc.target().address()).contains(" via root@127.0.0.1:"
                + sim.sshPort(101)));
        assertThat(sim.forwardedConnections(101)).isZero();

        RemoteStepRunner.Progress p = run(ctx(viaFrontEnd, zoneNodes()));
        assertThat(p.state()).as(String.valueOf(p.failure())).isEqualTo(RemoteStepRunner.State.SUCCEEDED);
        assertThat(sim.nodeInstalledVersion(101, "kvm-s-us-ca-1")).isEqualTo("7.0.0");
        assertThat(sim.nodeInstalledVersion(101, "kvm-s-us-ca-2")).isEqualTo("7.0.0");
        // every host connection went through the front-end, and the hosts' keys were checked under their own port
        assertThat(sim.forwardedConnections(101)).isGreaterThanOrEqualTo(2);
    }

    @Test
    void dnfHostsUpgradeTheNodePackagesTheyHaveInstalled() {
        sessions.close();
        sim.close();
        sim = SimulatedFederation.start(new SimulationSpec("rhel", "pw", "dbpw", 1, List.of(
                SimulationSpec.ZoneSpec.single(0, "ALMA", true, "6.10.0", "7.0.0")
                        .withOsFamily(io.onefed.upgrade.federation.OsFamily.ALMALINUX).withDbBackend("sqlite"))),
                tmp.resolve("rhel"));
        start(sim);
        // no pin (a dry run's plan): the newest node package of the target series
        RemoteStepRunner.Progress p = run(ctx(zone(0), zoneNodes(), null));
        assertThat(p.state()).as(String.valueOf(p.failure())).isEqualTo(RemoteStepRunner.State.SUCCEEDED);
        assertThat(sim.nodeInstalledVersion(0, "kvm-alma-1")).isEqualTo("7.0.0");
        // only the installed node package is named to dnf (a name it does not have would be "No match")
        assertThat(sim.nodeCommandLog(0, "kvm-alma-1", "dnf")).singleElement()
                .satisfies(l -> assertThat(l).endsWith(" -y upgrade opennebula-node-kvm"));
        assertThat(p.records().get(0).stdout()).contains("opennebula-node-kvm 7.0.0").contains("restarted libvirtd");
    }

    @Test
    void hostsAcceptOnlyTheZonesNodeKeyAndTheirHostKeysAreVerified() {
        ZoneProperties z = zone(0);
        String[] address = z.nodes().address("kvm-m-eu-fr-1");
        JschRemoteShell shell = new JschRemoteShell(sessions, new SecretResolver());
        SshTarget withNodeKey = new SshTarget(0, z.name(), "kvm-m-eu-fr-1", address[0], Integer.parseInt(address[1]),
                "root", z.nodes().privateKey(), z.nodes().runDir());
        assertThat(shell.run(withNodeKey, io.onefed.upgrade.ssh.RemoteCommand.of("echo ok")).stdout()).isEqualTo("ok\n");
        SshTarget withFrontEndKey = new SshTarget(0, z.name(), "kvm-m-eu-fr-1", address[0], Integer.parseInt(address[1]), "root");
        assertThatThrownBy(() -> shell.run(withFrontEndKey, io.onefed.upgrade.ssh.RemoteCommand.of("echo ok")))
                .isInstanceOf(SshException.AuthenticationFailed.class);
    }
}
