package io.onefed.upgrade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.onefed.upgrade.simulator.SimulatedFederation;
import io.onefed.upgrade.simulator.SimulationSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Design decision 1 proven: with N slaves whose package upgrade takes T each, the slaves' package upgrades run
 * side by side (every one starts before any ends), so the slave phase costs about T, not N*T.
 */
@Tag("e2e")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "camunda.bpm.job-execution.core-pool-size=12")
class SlavesRunConcurrentlyEndToEndTest extends EndToEndTestBase {

    static final int SLAVES = 4;
    static final Duration T = Duration.ofSeconds(3);
    static final SimulatedFederation SIM = EndToEndSupport.startFederation("e2e-parallel", spec());

    static SimulationSpec spec() {
        List<SimulationSpec.ZoneSpec> more = new ArrayList<>();
        for (int i = 2; i < SLAVES; i++) {
            more.add(SimulationSpec.ZoneSpec.single(100 + i, "S-EXTRA-" + i, false, "6.10.0.1", "7.0.0,7.0.1"));
        }
        return SimulatedFederation.guideSpec().withZones(more);
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        EndToEndSupport.register(registry, SIM, "e2e_parallel");
        for (int zone : SIM.zoneIds()) {
            if (zone != 0) {
                // dpkg-query runs twice inside the package upgrade step (which packages are installed, then the
                // version installed), so half of T each; the preflight's repository query adds one more before it
                SIM.faults().latency(zone, "dpkg-query", T.dividedBy(2));
            }
        }
    }

    @AfterAll
    static void stop() {
        SIM.close();
    }




    @Test
    void slavePackageUpgradesOverlapInTime() {
        EndToEndSupport.Api api = new EndToEndSupport.Api(port);
        String id = api.start("7.0.0", SLAVES);
        api.approve(id, "Approve the start of the upgrade", "approve", Duration.ofSeconds(60));
        api.approve(id, "Approve re-enabling API access", "approve", Duration.ofSeconds(240));
        JsonNode end = api.awaitEnd(id, Duration.ofSeconds(60));
        assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("completed");

        // the slaves' "upgrade-packages" remote steps, from the history
        List<Date> starts = new ArrayList<>();
        List<Date> ends = new ArrayList<>();
        for (HistoricProcessInstance step : engine.getHistoryService().createHistoricProcessInstanceQuery()
                .processDefinitionKey("remote-step").processInstanceBusinessKey(id).list()) {
            List<HistoricVariableInstance> vars = engine.getHistoryService().createHistoricVariableInstanceQuery()
                    .processInstanceId(step.getId()).variableNameIn("step", "zoneId").list();
            String name = vars.stream().filter(v -> v.getName().equals("step")).findFirst().orElseThrow().getValue().toString();
            int zone = ((Number) vars.stream().filter(v -> v.getName().equals("zoneId")).findFirst().orElseThrow().getValue()).intValue();
            if (name.equals("upgrade-packages") && zone != 0) {
                starts.add(step.getStartTime());
                ends.add(step.getEndTime());
            }
        }
        assertThat(starts).hasSize(SLAVES);
        Date lastStart = starts.stream().max(Date::compareTo).orElseThrow();
        Date firstEnd = ends.stream().min(Date::compareTo).orElseThrow();
        assertThat(lastStart).as("every slave's package upgrade starts before the first one ends").isBefore(firstEnd);
        long phase = ends.stream().max(Date::compareTo).orElseThrow().getTime()
                - starts.stream().min(Date::compareTo).orElseThrow().getTime();
        assertThat(phase).as("the %d slaves' package upgrades together take about T, not N*T", SLAVES)
                .isLessThan(T.toMillis() * SLAVES / 2);
    }
}
