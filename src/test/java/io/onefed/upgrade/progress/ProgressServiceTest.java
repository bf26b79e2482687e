package io.onefed.upgrade.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.audit.SyntheticHistory;
import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.progress.UpgradeProgress.ZoneState;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.variable.Variables;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ProgressService} on a real engine (in-memory H2) holding an upgrade shaped like the real one: a root with
 * its plan, per zone a finished stop and remote steps sharing the business key, with zoneId/step. Counts the
 * queries each read makes through the engine's public services: the same few at 3 zones and at 100.
 */
class ProgressServiceTest {

    static final String[] STEPS = {"stop-services", "backup-config", "backup-db", "switch-repository",
            "upgrade-packages", "upgrade-config", "upgrade-db", "check-db", "start-services", "check-api",
            "upgrade-nodes", "sync-hosts"};

    ProcessEngine engine;
    final AtomicInteger queries = new AtomicInteger();

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    static BpmnModelInstance waiting(String key, String end) {
        return Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1).startEvent().userTask("Wait").name("Wait")
                .endEvent(end).done();
    }

    /** A stand-in for a step that runs until told to go on (a receive task: no user task, so no decision). */
    static BpmnModelInstance running(String key, String end) {
        return Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1).startEvent().receiveTask("Run")
                .name("Run the step's commands").message("go").endEvent(end).done();
    }

    void go(String processInstanceId) {
        engine.getRuntimeService().createMessageCorrelation("go").processInstanceId(processInstanceId).correlate();
    }

    /** Each zone has finished its stop and its first {@code done} remote steps and runs the next one. */
    String upgrade(int zones, int done) throws Exception {
        engine = SyntheticHistory.engine("jdbc:h2:mem:progress-" + System.nanoTime(), "create-drop");
        engine.getRepositoryService().createDeployment()
                .addModelInstance("f.bpmn", waiting("federation-upgrade", "Done"))
                .addModelInstance("s.bpmn", running("zone-stop", "ZoneStopped"))
                .addModelInstance("r.bpmn", running("remote-step", "StepDone")).deploy();
        RuntimeService runtime = engine.getRuntimeService();
        String id = "U-" + zones;
        List<Integer> ids = new ArrayList<>();
        List<Map<String, String>> phases = new ArrayList<>();
        for (int z = 0; z < zones; z++) {
            ids.add(z == 0 ? 0 : 100 + z);
            for (String s : STEPS) {
                phases.add(Map.of("zone", "Z" + z, "step", s, "title", "title of " + s));
            }
        }
        Map<String, Object> rootVars = new HashMap<>();
        rootVars.put("allZoneIds", String.join(",", ids.stream().map(String::valueOf).toList()));
        rootVars.put("masterZoneId", 0);
        rootVars.put("targetVersion", "7.0.0");
        rootVars.put("planHash", "h1");
        rootVars.put("plan", Variables.fileValue("plan.json").file(new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsBytes(Map.of("upgradeId", id, "phases", phases, "text", "x".repeat(100_000))))
                .mimeType("application/json").encoding(StandardCharsets.UTF_8).create());
        runtime.startProcessInstanceByKey("federation-upgrade", id, rootVars);
        for (int z = 0; z < zones; z++) {
            Map<String, Object> v = Map.of("zoneId", ids.get(z), "zoneName", "Z" + z);
            String stop = runtime.startProcessInstanceByKey("zone-stop", id, v).getId();
            go(stop);
            for (int s = 0; s <= done; s++) {
                Map<String, Object> sv = new HashMap<>(v);
                sv.put("step", STEPS[s + 1]);
                String step = runtime.startProcessInstanceByKey("remote-step", id, sv).getId();
                if (s < done) {
                    go(step);
                }
            }
        }
        return id;
    }

    /** The engine's service, counting every query it creates. */
    @SuppressWarnings("unchecked")
    <T> T counted(T service, Class<T> type) {
        InvocationHandler h = (proxy, method, args) -> {
            if (method.getName().startsWith("create") && method.getName().endsWith("Query")) {
                queries.incrementAndGet();
            }
            try {
                return method.invoke(service, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, h);
    }

    ProgressService service() {
        return new ProgressService(counted(engine.getHistoryService(), HistoryService.class),
                counted(engine.getRuntimeService(), RuntimeService.class), counted(engine.getTaskService(), TaskService.class),
                new FederationProperties("f", null, null, null, List.of()), "/camunda", Clock.systemUTC());
    }

    int queriesOfOneRead(ProgressService service, String id) {
        queries.set(0);
        UpgradeProgress p = service.progress(id);
        assertThat(p).isNotNull();
        return queries.get();
    }

    @Test
    void readsEveryZoneFromTheEngineAndItsPlan() throws Exception {
        String id = upgrade(3, 4);
        UpgradeProgress p = service().progress(id);
        assertThat(p.planKnown()).isTrue();
        assertThat(p.zones()).hasSize(3).allSatisfy(z -> {
            assertThat(z.state()).isEqualTo(ZoneState.RUNNING);
            assertThat(z.stepsTotal()).isEqualTo(STEPS.length);
            // stop + four finished remote steps; the fifth runs
            assertThat(z.stepsDone()).isEqualTo(5);
            assertThat(z.currentStep()).isEqualTo("title of " + STEPS[5]);
            assertThat(z.started()).isNotNull();
        });
        assertThat(p.zones().get(0).master()).isTrue();
        assertThat(p.zones()).extracting(UpgradeProgress.Zone::zoneName).containsExactly("Z0", "Z1", "Z2");
        // the root's task is the federation's own approval, listed above the zones
        assertThat(p.approvals()).singleElement().satisfies(a -> {
            assertThat(a.zone()).isNull();
            assertThat(a.link()).isEqualTo("/camunda/app/tasklist/default/#/?task=" + a.taskId());
        });
        assertThat(p.state()).isEqualTo("waiting for approval");
        assertThat(service().progress("U-unknown")).isNull();
    }

    @Test
    void aReadCostsTheSameFewQueriesAtThreeZonesAndAtAHundred() throws Exception {
        String small = upgrade(3, 6);
        ProgressService s = service();
        int first = queriesOfOneRead(s, small);
        int again = queriesOfOneRead(s, small);
        engine.close();
        String large = upgrade(100, 6);
        ProgressService l = service();
        int firstLarge = queriesOfOneRead(l, large);
        int againLarge = queriesOfOneRead(l, large);
        // seven at most; the plan (megabytes at 100 zones) only on the first read of its hash
        assertThat(first).isEqualTo(firstLarge).isLessThanOrEqualTo(7);
        assertThat(again).isEqualTo(againLarge).isEqualTo(first - 1);

        long t = System.nanoTime();
        int reads = 5;
        for (int i = 0; i < reads; i++) {
            UpgradeProgress p = l.progress(large);
            assertThat(p.zones()).hasSize(100).allSatisfy(z -> assertThat(z.stepsDone()).isEqualTo(7));
        }
        System.out.printf("progress of 100 zones (%d remote-step instances): %d ms per read, %d queries%n",
                100 * 7, (System.nanoTime() - t) / 1_000_000 / reads, againLarge);
    }
}
