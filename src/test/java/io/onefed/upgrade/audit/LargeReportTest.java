package io.onefed.upgrade.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.ProcessEngine;
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

    @Test
    void aReportOfFiftyMebibytesOfOutputIsWrittenInASmallHeapWithCutOutputsNamed() throws Exception {
        String url = "jdbc:h2:file:" + dir.resolve("history").toAbsolutePath() + ";DB_CLOSE_DELAY=0;CACHE_SIZE=4096";
        ProcessEngine engine = SyntheticHistory.engine(url, "true");
        try {
            SyntheticHistory.write(engine, UPGRADE, ZONES, STEPS, HOSTS, OUTPUT);
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
