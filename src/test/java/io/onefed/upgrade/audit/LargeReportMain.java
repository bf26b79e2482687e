package io.onefed.upgrade.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import org.camunda.bpm.engine.ProcessEngine;

/**
 * Run by {@link LargeReportTest} in a JVM with a small heap: writes the HTML and the JSON report of the synthetic
 * upgrade to counting sinks and prints what it wrote. An out-of-memory ends it with a non-zero exit.
 */
public final class LargeReportMain {

    /** Counts and forgets what it is given (the report's client). */
    static final class Counting extends Writer {
        long chars;
        long cutNotes;
        private final StringBuilder window = new StringBuilder();

        @Override
        public void write(char[] buf, int off, int len) {
            chars += len;
            window.append(buf, off, len);
            int i;
            while ((i = window.indexOf("(cut: its last part)")) >= 0) {
                cutNotes++;
                window.delete(0, i + 1);
            }
            if (window.length() > 64) {
                window.delete(0, window.length() - 64);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    public static void main(String[] args) throws IOException {
        ProcessEngine engine = SyntheticHistory.engine(args[0], "false");
        try {
            ReportService reports = new ReportService(engine.getHistoryService());
            ReportService.Streamed report = reports.stream(args[1]);
            Counting html = new Counting();
            ReportHtml.write(report.head(), sink -> report.forEachCommand(ReportService.OUTPUT_CHARS, sink),
                    report.commandCount(), ReportService.OUTPUT_CHARS, html);
            long[] json = new long[1];
            ReportJson.write(reports.stream(args[1]), ReportService.OUTPUT_CHARS,
                    new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules(), new OutputStream() {
                        @Override
                        public void write(int b) {
                            json[0]++;
                        }

                        @Override
                        public void write(byte[] b, int off, int len) {
                            json[0] += len;
                        }
                    });
            System.out.println("commands=" + report.commandCount() + " htmlChars=" + html.chars + " cutNotes="
                    + html.cutNotes + " jsonBytes=" + json[0] + " maxHeap=" + Runtime.getRuntime().maxMemory());
        } finally {
            engine.close();
        }
    }
}
