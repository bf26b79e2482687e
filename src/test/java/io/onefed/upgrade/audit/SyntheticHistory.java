package io.onefed.upgrade.audit;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.variable.Variables;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;

/**
 * The history of an upgrade as the report reads it, without running one: a federation-upgrade instance and per zone
 * and step a remote-step instance whose {@code stepRecords} is written twice (commands started, then finished with
 * their output), as RemoteStepDelegate does. Keys are {@code <upgrade>-z<zone>-s<step>-a1.1-host<h>}.
 */
public final class SyntheticHistory {

    private SyntheticHistory() {
    }

    public static ProcessEngine engine(String jdbcUrl, String schemaUpdate) {
        return ProcessEngineConfiguration.createStandaloneProcessEngineConfiguration().setJdbcUrl(jdbcUrl)
                .setDatabaseSchemaUpdate(schemaUpdate).setHistory(ProcessEngineConfiguration.HISTORY_FULL)
                .setJobExecutorActivate(false).setProcessEngineName("synthetic-history-" + System.nanoTime())
                .buildProcessEngine();
    }

    private static BpmnModelInstance waiting(String key) {
        return Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1).startEvent().userTask("Wait").endEvent().done();
    }

    /** Each finished command's stdout is {@code output} characters ending in {@code "\nEND.\n"}. */
    static byte[] records(String upgrade, int zone, int step, int hosts, int output, boolean finished) {
        StringBuilder json = new StringBuilder("[");
        String text = ("line of apt output for zone " + zone + " step " + step + " ").repeat(output / 30 + 1)
                .substring(0, output - 6) + "\nEND.\n";
        for (int h = 0; h < hosts; h++) {
            json.append(h == 0 ? "" : ",").append("{\"zone\":\"Z").append(zone).append("\",\"server\":\"host").append(h)
                    .append("\",\"host\":\"10.0.").append(zone).append('.').append(h).append("\",\"command\":\"apt-get install x\"")
                    .append(",\"key\":\"").append(upgrade).append("-z").append(zone).append("-s").append(step).append("-a1.1-host").append(h)
                    .append("\",\"state\":\"").append(finished ? "FINISHED" : "RUNNING").append("\",\"exitStatus\":")
                    .append(finished ? "0" : "null").append(",\"stdout\":\"").append(finished ? text.replace("\n", "\\n") : "")
                    .append("\",\"stderr\":\"\",\"truncated\":false,\"outputSha256\":\"ab\",\"started\":\"2026-12-01T10:")
                    .append(String.format("%02d:%02d", zone % 60, step % 60)).append("Z\",\"finished\":")
                    .append(finished ? "\"2026-12-01T11:00:00Z\"" : "null").append(",\"attached\":false}");
        }
        return json.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    public static void write(ProcessEngine engine, String upgrade, int zones, int steps, int hosts, int output) {
        engine.getRepositoryService().createDeployment().addModelInstance("f.bpmn", waiting("federation-upgrade"))
                .addModelInstance("r.bpmn", waiting("remote-step")).deploy();
        RuntimeService runtime = engine.getRuntimeService();
        runtime.startProcessInstanceByKey("federation-upgrade", upgrade, Map.of("targetVersion", "7.0.0"));
        for (int z = 0; z < zones; z++) {
            for (int s = 0; s < steps; s++) {
                Map<String, Object> vars = new HashMap<>();
                vars.put("zoneName", "Z" + z);
                vars.put("step", "step-" + s);
                String id = runtime.startProcessInstanceByKey("remote-step", upgrade, vars).getId();
                for (boolean finished : new boolean[] {false, true}) {
                    runtime.setVariable(id, "stepRecords", Variables.fileValue("step-records.json")
                            .file(records(upgrade, z, s, hosts, output, finished)).mimeType("application/json")
                            .encoding(StandardCharsets.UTF_8).create());
                }
            }
        }
    }
}
