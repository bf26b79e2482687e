package io.onefed.upgrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.onefed.upgrade.simulator.SimulatedFederation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.history.HistoricProcessInstance;

/**
 * What the rollback end-to-end tests compare: each zone's state an operator would check before the upgrade and
 * after its rollback (versions, installed packages, database, units, repository definition, /etc/one, zone and host
 * states).
 */
final class RollbackEndToEndSupport {

    private RollbackEndToEndSupport() {
    }

    static final List<String> UNITS = List.of("opennebula", "opennebula-flow", "opennebula-gate", "opennebula-fireedge",
            "opennebula-sunstone", "opennebula-scheduler", "opennebula-hem", "opennebula-guacd", "opennebula-novnc");

    /** Everything of a zone that must be as before after a rollback, as text per item. */
    static Map<String, String> zoneState(SimulatedFederation sim, int zone) {
        Map<String, String> s = new LinkedHashMap<>();
        Path dir = sim.serverDir(zone);
        s.put("installed", sim.installedVersion(zone));
        // the installed package set: what the target added (7.0's opennebula-migration) must be gone again
        s.put("packages", read(dir.resolve("sim/packages")));
        s.put("db shared", sim.dbSharedVersion(zone));
        s.put("db local", sim.dbLocalVersion(zone));
        s.put("units", UNITS.stream().filter(u -> sim.unitActive(zone, u)).toList().toString());
        s.put("repository", read(dir.resolve("etc/apt/sources.list.d/opennebula.list")));
        s.put("oned.conf", read(dir.resolve("etc/one/oned.conf")));
        s.put("etc files", files(dir.resolve("etc/one")).toString());
        s.put("zone disabled", Boolean.toString(sim.zoneDisabled(zone)));
        s.put("hosts", files(dir.resolve("sim/db/hosts")).stream().map(f -> read(dir.resolve("sim/db/hosts/" + f))).toList()
                .toString());
        s.put("api", Boolean.toString(sim.apiOpen(zone)));
        for (String host : sim.nodeNames(zone)) {
            s.put("node " + host, sim.nodeInstalledVersion(zone, host) + ", repository "
                    + read(sim.nodeDir(zone, host).resolve("etc/apt/sources.list.d/opennebula.list")));
        }
        return s;
    }

    static Map<Integer, Map<String, String>> federationState(SimulatedFederation sim) {
        Map<Integer, Map<String, String>> all = new TreeMap<>();
        for (int zone : sim.zoneIds()) {
            all.put(zone, zoneState(sim, zone));
        }
        return all;
    }

    /** Asks for the rollback as operator1, approves it as operator2, waits for the rollback's end. */
    static HistoricProcessInstance rollBack(EndToEndSupport.Api api, ProcessEngine engine, String id, Duration deadline) {
        api.call(EndToEndSupport.OPERATOR1, "POST", "/api/upgrades/" + id + "/rollback",
                Map.of("reason", "end-to-end test: back to the previous version"), 202);
        api.approve(id, "Approve the rollback of the upgrade", Duration.ofSeconds(60));
        return await().atMost(deadline).pollInterval(Duration.ofMillis(300)).until(() -> engine.getHistoryService()
                .createHistoricProcessInstanceQuery().processDefinitionKey("federation-rollback")
                .processInstanceBusinessKey(id).singleResult(), h -> {
                    if (h == null) {
                        return false;
                    }
                    assertThat(engine.getRuntimeService().createIncidentQuery().list()).as("incidents").isEmpty();
                    return h.getEndTime() != null;
                });
    }

    private static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "<none>";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> files(Path dir) {
        try (Stream<Path> s = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
