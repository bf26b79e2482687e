package io.onefed.upgrade.audit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/**
 * The report as JSON written as it goes: the head's fields, then {@code commands} one object at a time, so a
 * report of any size needs the memory of one command. Same fields as {@link Report}, plus {@code commandCount}
 * and {@code outputChars} (what each command's stdout and stderr show at most; {@code outputCut} marks a cut one).
 */
public final class ReportJson {

    private ReportJson() {
    }

    public static void write(ReportService.Streamed report, int outputChars, ObjectMapper mapper, OutputStream out)
            throws IOException {
        JsonGenerator g = mapper.getFactory().createGenerator(out);
        g.writeStartObject();
        JsonNode head = mapper.valueToTree(report.head());
        for (Iterator<Map.Entry<String, JsonNode>> it = head.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getKey().equals("commands")) {
                g.writeFieldName(f.getKey());
                mapper.writeTree(g, f.getValue());
            }
        }
        g.writeNumberField("commandCount", report.commandCount());
        g.writeNumberField("outputChars", outputChars);
        g.writeArrayFieldStart("commands");
        try {
            report.forEachCommand(outputChars, c -> {
                try {
                    mapper.writeValue(g, c);
                    g.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // the client went away: stop reading the history
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        g.writeEndArray();
        g.writeEndObject();
        g.flush();
    }
}
