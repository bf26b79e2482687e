package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.ssh.DetachedRuns;
import io.onefed.upgrade.ssh.RemoteCommand;
import io.onefed.upgrade.ssh.RunStatus;
import io.onefed.upgrade.ssh.SshTarget;
import io.onefed.upgrade.steps.NodeHosts;
import io.onefed.upgrade.steps.RemoteStepService;
import io.onefed.upgrade.steps.ZoneCommands;
import io.onefed.upgrade.steps.ZoneStep;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: at 10 slaves a zone's hypervisor hosts' step waited 0.8 s for new connects through the front-end
 * after the services had started. Now their sessions are connected while the services start.
 */
class ConnectAheadOfNodesTest {

    final FakeFederation fed = new FakeFederation("6.10.0", false, true, "S-EU-GE");
    final String nodes = new NodeHosts(fed.properties, fed).read();
    final List<String> events = new CopyOnWriteArrayList<>();

    final DetachedRuns recording = new DetachedRuns() {
        @Override
        public void connectAhead(SshTarget target) {
            events.add("connect " + target.serverName());
        }

        @Override
        public RunStatus start(SshTarget target, String key, RemoteCommand command) {
            events.add("start " + target.serverName());
            return fed.start(target, key, command);
        }

        @Override
        public RunStatus await(SshTarget target, String key, Duration maxWait) {
            return fed.await(target, key, maxWait);
        }
    };
    final RemoteStepService service = new RemoteStepService(fed.properties, new ZoneCommands(), recording, Duration.ZERO);

    RemoteStepService.Request step(ZoneStep step, String zoneNodes) {
        return new RemoteStepService.Request("U1", 100, step, 1, 1, "6.10.0", "7.0.0", "", null, "0=7.0.0-1,100=7.0.0-1",
                null, zoneNodes);
    }

    @Test
    void theServicesStartConnectsTheZonesHypervisorHostsAheadOfTheirStep() {
        List<String> hosts = service.plan(step(ZoneStep.UPGRADE_NODES, nodes)).stream().flatMap(List::stream)
                .map(hc -> hc.target().serverName()).toList();
        assertThat(hosts).isNotEmpty();

        service.start(step(ZoneStep.START_SERVICES, nodes));
        assertThat(events).as("the nodes' sessions are asked for first, then the services start on the front-end")
                .containsAll(hosts.stream().map(h -> "connect " + h).toList())
                .anyMatch(e -> e.startsWith("start "));
        assertThat(events.stream().filter(e -> e.startsWith("start ")).toList()).as("nothing runs on a node")
                .noneMatch(e -> hosts.contains(e.substring("start ".length())));
    }

    @Test
    void theFirstPollOfTheServicesStartDoesTooButNoOtherStepOrLaterPoll() {
        service.advance(step(ZoneStep.START_SERVICES, nodes), Set.of());
        assertThat(events).anyMatch(e -> e.startsWith("connect "));

        events.clear();
        service.advance(step(ZoneStep.START_SERVICES, nodes), Set.of("U1-z100-start-services-a1.1-s-eu-ge-fe0"));
        service.start(step(ZoneStep.UPGRADE_PACKAGES, nodes));
        service.start(step(ZoneStep.START_SERVICES, null));
        assertThat(events).noneMatch(e -> e.startsWith("connect "));
    }
}
