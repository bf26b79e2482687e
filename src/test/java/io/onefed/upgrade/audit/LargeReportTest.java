package io.onefed.upgrade.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.variable.Variables;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit report of a very large upgrade: 20 zones x 5 steps x 8 hosts, every command with 64 KiB of stdout, so
 * the history holds about 50 MiB of outputs (each step's records written twice, as RemoteStepDelegate does). The
 * old ReportService listed every stepRecords update with its bytes, parsed them all, kept every output in the
 * Report and built one String: some 150 MiB beyond the engine's own. Now the report is written one step's
 * records at a time, each output cut to its last 16 KiB with a note and a link, and it completes in a JVM of
 * 128 MiB (run as a child process).
 */
class LargeReportTest {

    static final String UPGRADE = "U-BIG-1";
    static final int ZONES = 20;
    static final int STEPS = 5;
    static final int HOSTS = 8;
    static final int OUTPUT = 64 * 1024;

    @TempDir
    Path dir;

    static ProcessEngine engine(String jdbcUrl, String schemaUpdate) {
        return ProcessEngineConfiguration.createStandaloneProcessEngineConfiguration().setJdbcUrl(jdbcUrl)
                .setDatabaseSchemaUpdate(schemaUpdate).setHistory(ProcessEngineConfiguration.HISTORY_FULL)
                .setJobExecutorActivate(false).setProcessEngineName("large-report-" + System.nanoTime())
                .buildProcessEngine();
    }

    private static BpmnModelInstance waiting(String key) {
        return Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1).startEvent().userTask("Wait").endEvent().done();
    }

    /** A stepRecords value as RemoteStepDelegate writes it: the records of every command of one step. */
    private static byte[] records(int zone, int step, boolean finished) {
        StringBuilder json = new StringBuilder("[");
        String output = ("line of apt output for zone " + zone + " step " + step + " ").repeat(OUTPUT / 30)
                .substring(0, OUTPUT - 6) + "\nEND.\n";
        for (int h = 0; h < HOSTS; h++) {
            json.append(h == 0 ? "" : ",").append("{\"zone\":\"Z").append(zone).append("\",\"server\":\"host").append(h)
                    .append("\",\"host\":\"10.0.").append(zone).append('.').append(h).append("\",\"command\":\"apt-get install x\"")
                    .append(",\"key\":\"U-BIG-1-z").append(zone).append("-s").append(step).append("-a1.1-host").append(h)
                    .append("\",\"state\":\"").append(finished ? "FINISHED" : "RUNNING").append("\",\"exitStatus\":")
                    .append(finished ? "0" : "null").append(",\"stdout\":\"").append(finished ? output.replace("\n", "\\n") : "")
                    .append("\",\"stderr\":\"\",\"truncated\":false,\"outputSha256\":\"ab\",\"started\":\"2026-12-01T10:")
                    .append(String.format("%02d:%02d", zone, step)).append("Z\",\"finished\":")
                    .append(finished ? "\"2026-12-01T11:00:00Z\"" : "null").append(",\"attached\":false}");
        }
        return json.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void history(ProcessEngine engine) {
        engine.getRepositoryService().createDeployment().addModelInstance("f.bpmn", waiting("federation-upgrade"))
                .addModelInstance("r.bpmn", waiting("remote-step")).deploy();
        RuntimeService runtime = engine.getRuntimeService();
        runtime.startProcessInstanceByKey("federation-upgrade", UPGRADE, Map.of("targetVersion", "7.0.0"));
        for (int z = 0; z < ZONES; z++) {
            for (int s = 0; s < STEPS; s++) {
                Map<String, Object> vars = new HashMap<>();
                vars.put("zoneName", "Z" + z);
                vars.put("step", "step-" + s);
                String id = runtime.startProcessInstanceByKey("remote-step", UPGRADE, vars).getId();
                for (boolean finished : new boolean[] {false, true}) {
                    runtime.setVariable(id, "stepRecords", Variables.fileValue("step-records.json")
                            .file(records(z, s, finished)).mimeType("application/json").encoding(StandardCharsets.UTF_8).create());
                }
            }
        }
    }

    @Test
    void aReportOfFiftyMebibytesOfOutputIsWrittenInASmallHeapWithCutOutputsNamed() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("history").toAbsolutePath() + ";DB_CLOSE_DELAY=0;CACHE_SIZE=4096";
        ProcessEngine engine = engine(url, "true");
        try {
            history(engine);
            ReportService reports = new ReportService(engine.getHistoryService());

            // in this JVM: what the report says about cut outputs, and the whole output of one command
            ReportService.Streamed streamed = reports.stream(UPGRADE);
            assertThat(streamed.commandCount()).isEqualTo(ZONES * STEPS * HOSTS);
            List<Report.Command> rows = new ArrayList<>();
            streamed.forEachCommand(ReportService.OUTPUT_CHARS, rows::add);
            assertThat(rows).hasSize(ZONES * STEPS * HOSTS).allSatisfy(c -> {
                assertThat(c.outputCut()).isTrue();
                assertThat(c.stdout()).hasSize(ReportService.OUTPUT_CHARS).endsWith("\nEND.\n");
                assertThat(c.state()).isEqualTo("FINISHED"); // the last record per key wins
            });
            Report.Command whole = reports.command(UPGRADE, rows.get(0).key());
            assertThat(whole.stdout()).hasSize(OUTPUT).startsWith("line of apt output").endsWith("\nEND.\n");
            assertThat(whole.outputCut()).isFalse();
            assertThat(reports.command(UPGRADE, "no-such-key")).isNull();

            // the HTML is written while the commands are read: after the first row, the head and that row are out
            ByteArrayOutputStream firstBytes = new ByteArrayOutputStream();
            int[] rowsRead = new int[1];
            java.io.Writer sink = new java.io.OutputStreamWriter(firstBytes, StandardCharsets.UTF_8);
            ReportHtml.write(streamed.head(), each -> streamed.forEachCommand(ReportService.OUTPUT_CHARS, c -> {
                rowsRead[0]++;
                if (rowsRead[0] == 2) {
                    // the client has the page up to the first row before the second is read
                    assertThat(firstBytes.toString(StandardCharsets.UTF_8)).contains("Upgrade report " + UPGRADE)
                            .contains(ZONES * STEPS * HOSTS + " commands").contains("(cut: its last part)")
                            .contains("/api/upgrades/U-BIG-1/commands/U-BIG-1-z").doesNotContain("</html>");
                }
                each.accept(c);
            }), streamed.commandCount(), ReportService.OUTPUT_CHARS, sink);
            assertThat(rowsRead[0]).isEqualTo(ZONES * STEPS * HOSTS);
        } finally {
            engine.close();
        }

        // in a JVM of 128 MiB, of which the engine itself takes ~45 (MyBatis keeps its mapping DOM): the history holds
        // ~50 MiB of outputs, which the old report held as bytes, then as Strings, then once more in the page
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", cp, LargeReportMain.class.getName(), url, UPGRADE)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(child.waitFor(5, TimeUnit.MINUTES)).as("the child JVM ends").isTrue();
        } finally {
            child.destroyForcibly();
        }
        String out = Files.readString(log);
        assertThat(child.exitValue()).as(out).isZero();
        assertThat(out).doesNotContain("OutOfMemoryError").contains("commands=" + ZONES * STEPS * HOSTS)
                .contains("cutNotes=" + ZONES * STEPS * HOSTS);
        long htmlChars = Long.parseLong(out.replaceAll("(?s).*htmlChars=(\\d+).*", "$1"));
        assertThat(htmlChars).isGreaterThan((long) ZONES * STEPS * HOSTS * ReportService.OUTPUT_CHARS)
                .isLessThan((long) ZONES * STEPS * HOSTS * OUTPUT);
    }
}
