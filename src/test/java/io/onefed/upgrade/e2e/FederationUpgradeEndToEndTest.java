package io.onefed.upgrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.simulator.SimulatedFederation;
import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.HistoryService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Issue 4's end-to-end test: the guide's federation (three single front-end zones on 6.10, 7.0 offered) upgraded
 * to 7.0 by the real service on PostgreSQL, over real SSH and XML-RPC to the simulated federation.
 */
@Tag("e2e")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FederationUpgradeEndToEndTest extends EndToEndTestBase {

    static final SimulatedFederation SIM = EndToEndSupport.startFederation("e2e-guide", SimulatedFederation.guideSpec());

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        EndToEndSupport.register(registry, SIM, "e2e_guide");
    }

    @org.springframework.beans.factory.annotation.Autowired
    io.onefed.upgrade.ops.JobRunTimes jobTimes;

    @AfterAll
    static void stop() {
        SIM.close();
    }




    @Test
    void upgradesTheGuidesFederationFrom610To70() {
        EndToEndSupport.Api api = new EndToEndSupport.Api(port);
        String id = api.start("7.0.0", 5);

        api.approve(id, "Approve the start of the upgrade", "approve", Duration.ofSeconds(60));
        api.approve(id, "Approve re-enabling API access", "approve", Duration.ofSeconds(240));
        JsonNode end = api.awaitEnd(id, Duration.ofSeconds(60));
        assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("completed");
        assertThat(end.get("outcome").asText()).isEqualTo("COMPLETED");
        assertThat(end.get("zones")).hasSize(3).allSatisfy(z -> assertThat(z.get("activities").toString()).contains("UPGRADED"));
        // the default read (no Cache-Control) as a page or script polls it: it says when its read began
        JsonNode polled = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> api.call(EndToEndSupport.OPERATOR1, "GET", "/api/upgrades/" + id, null, 200),
                        s -> "completed".equals(s.get("state").asText()));
        assertThat(java.time.Instant.parse(polled.get("readAt").asText()))
                .isAfterOrEqualTo(java.time.Instant.parse(end.get("readAt").asText()));

        // the repository also serves 7.0.1: the approved exact version is installed, with the migrators, the
        // changed oned.conf kept (the packaged one beside it) and, on S-US-CA, the missing repository key installed
        assertThat(SIM.serverDir(101).resolve("etc/apt/keyrings/opennebula.gpg")).exists();
        for (int zone : SIM.zoneIds()) {
            assertThat(SIM.installedVersion(zone)).as("zone %d installed", zone).isEqualTo("7.0.0");
            assertThat(SIM.serverDir(zone).resolve("etc/one/oned.conf")).content().contains("FEDERATION = [");
            assertThat(SIM.serverDir(zone).resolve("etc/one/oned.conf.dpkg-dist")).exists();
            assertThat(SIM.serverDir(zone).resolve("sim/packages")).content().contains("opennebula-migration\n");
            assertThat(SIM.dbSharedVersion(zone)).as("zone %d shared DB", zone).startsWith("7.0");
            assertThat(SIM.dbLocalVersion(zone)).as("zone %d local DB", zone).startsWith("7.0");
            assertThat(SIM.zoneDisabled(zone)).as("zone %d disabled", zone).isFalse();
            assertThat(SIM.unitActive(zone, "opennebula")).as("zone %d oned", zone).isTrue();
            assertThat(SIM.apiOpen(zone)).as("zone %d API", zone).isTrue();
            assertThat(SIM.fedIndex(zone)).as("zone %d FED_INDEX", zone).isEqualTo(SIM.fedIndex(0));
            // every changing command exactly once
            assertThat(installs(zone)).as("zone %d package upgrades", zone).hasSize(1);
            assertThat(onedb(zone, "upgrade")).as("zone %d onedb upgrade", zone).hasSize(1);
            // issue 11 point 9: every hypervisor host got the target node packages once and a restarted libvirtd;
            // point 1: onehost sync ran as oneadmin (as root it is refused) and synced the hosts
            for (String host : SIM.nodeNames(zone)) {
                assertThat(SIM.nodeInstalledVersion(zone, host)).as("zone %d host %s node packages", zone, host)
                        .isEqualTo("7.0.0");
                assertThat(SIM.nodeCommandLog(zone, host, "apt-get").stream().filter(l -> l.contains(" install ")))
                        .as("zone %d host %s package upgrades", zone, host).hasSize(1);
                assertThat(SIM.nodeCommandLog(zone, host, "systemctl")).anyMatch(l -> l.endsWith(" restart libvirtd"));
            }
            assertThat(SIM.nodeNames(zone)).hasSize(2);
            assertThat(SIM.serverDir(zone).resolve("sim/db/hosts_synced/0").toFile()).as("zone %d synced", zone).exists();
        }
        assertThat(onedb(0, "restore")).isEmpty();
        assertThat(onedb(100, "restore")).hasSize(1);
        assertThat(onedb(101, "restore")).hasSize(1);
        assertThat(onedb(0, "backup").stream().filter(l -> l.contains("--federated")).toList()).hasSize(1);
        // each slave's pre-upgrade backup was taken before the federated restore: it holds the slave's own 6.10
        // tables (the old order, restore then backup, left the master's 7.0 tables in it)
        for (int slave : List.of(100, 101)) {
            assertThat(beforeUpgradeBackup(slave)).as("zone %d pre-upgrade backup", slave)
                    .contains("-- shared_version: 6.10.0").doesNotContain("-- shared_version: 7.0.0");
            assertThat(onedb(slave, "version")).as("zone %d restore checked", slave).isNotEmpty();
        }

        // the remote commands' records are in the history, without any secret
        HistoryService history = engine.getHistoryService();
        assertThat(history.createHistoricVariableInstanceQuery().variableName("stepRecords").count()).isGreaterThan(20);
        // the removal time was written with each history row (the root's start plus its ten years), not set on
        // every row of the upgrade by the last job's commit when it ended (the 13 s commit at 100 slaves)
        org.camunda.bpm.engine.history.HistoricProcessInstance root = history.createHistoricProcessInstanceQuery()
                .processDefinitionKey("federation-upgrade").processInstanceBusinessKey(id).singleResult();
        java.util.Date removal = java.util.Date.from(root.getStartTime().toInstant().plus(Duration.ofDays(3650)));
        assertThat(history.createHistoricProcessInstanceQuery().processInstanceBusinessKey(id).list())
                .hasSizeGreaterThan(3).allSatisfy(h -> assertThat(h.getRemovalTime()).as(h.getProcessDefinitionKey())
                        .isEqualTo(removal));
        assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(root.getId()).list())
                .isNotEmpty().allSatisfy(a -> assertThat(a.getRemovalTime()).isEqualTo(removal));

        // issue 15: at the defaults no job batch came near its lock (a longer one would be taken over mid-run)
        assertThat(jobTimes.lockTime()).as("the default job lock time").isEqualTo(Duration.ofSeconds(20));
        assertThat(jobTimes.jobs()).as("jobs timed").isGreaterThan(20);
        assertThat(jobTimes.longest()).as("the longest job hold").isLessThan(jobTimes.lockTime().dividedBy(2));
        System.out.printf("e2e: %d jobs, the longest held its lock %d ms (lock %d ms)%n", jobTimes.jobs(),
                jobTimes.longest().toMillis(), jobTimes.lockTime().toMillis());
    }

    static String beforeUpgradeBackup(int zone) {
        java.nio.file.Path backups = SIM.serverDir(zone).resolve("var/lib/one-fed-upgrade/backups");
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(backups)) {
            java.nio.file.Path f = files.filter(p -> p.getFileName().toString().equals("zone-" + zone + "-before-upgrade.sql"))
                    .findFirst().orElseThrow(() -> new AssertionError("no zone-" + zone + "-before-upgrade.sql under " + backups));
            return java.nio.file.Files.readString(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<String> installs(int zone) {
        return SIM.commandLog(zone, "apt-get").stream().filter(l -> l.contains(" install ")).toList();
    }

    static List<String> onedb(int zone, String sub) {
        return SIM.commandLog(zone, "onedb").stream().filter(l -> l.contains(" " + sub)).toList();
    }
}
