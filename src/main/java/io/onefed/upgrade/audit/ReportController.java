package io.onefed.upgrade.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/upgrades/{id}/report}: the audit report, HTML by default (readable and printable), JSON with
 * {@code ?format=json} or {@code Accept: application/json}. Built from history only, under the caller's engine
 * authorizations, so auditors read it and nobody changes anything through it. Written to the response as it is
 * read from the history, one step's commands at a time, each output cut to its last
 * {@link ReportService#OUTPUT_CHARS}; {@code GET /api/upgrades/{id}/commands/{key}/output} gives one whole output.
 * Written in the request's own thread (no async body): the engine's authorizations are bound to it.
 */
@RestController
@RequestMapping("/api/upgrades")
public class ReportController {

    private final ReportService reports;
    private final ObjectMapper mapper;

    public ReportController(ReportService reports, ObjectMapper mapper) {
        this.reports = reports;
        this.mapper = mapper;
    }

    @GetMapping("/{id}/report")
    public ResponseEntity<?> report(@PathVariable("id") String id,
            @RequestParam(name = "format", required = false) String format,
            @RequestHeader(name = "Accept", required = false) String accept, HttpServletResponse response)
            throws IOException {
        if (format != null && !format.equals("json") && !format.equals("html")) {
            return ResponseEntity.badRequest().body(Map.of("field", "format", "message",
                    "format: '" + format + "' is not json or html"));
        }
        ReportService.Streamed report = reports.stream(id);
        boolean json = "json".equals(format) || (format == null && accept != null
                && accept.contains(MediaType.APPLICATION_JSON_VALUE) && !accept.contains(MediaType.TEXT_HTML_VALUE));
        if (report == null) {
            return ResponseEntity.status(404).contentType(MediaType.APPLICATION_JSON).body(Map.of("message",
                    "no upgrade " + id + " in the history (or not visible to you): GET /api/upgrades lists them"));
        }
        response.setStatus(200);
        if (json) {
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            ReportJson.write(report, ReportService.OUTPUT_CHARS, mapper, response.getOutputStream());
        } else {
            response.setContentType("text/html;charset=UTF-8");
            Writer out = new OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8);
            ReportHtml.write(report.head(), sink -> report.forEachCommand(ReportService.OUTPUT_CHARS, sink),
                    report.commandCount(), ReportService.OUTPUT_CHARS, out);
        }
        response.flushBuffer();
        return null;
    }

    /** The report's timeline as a standalone SVG (a Gantt chart per zone), same rights as the report. */
    @GetMapping("/{id}/report/timeline.svg")
    public ResponseEntity<?> timeline(@PathVariable("id") String id) {
        ReportService.Streamed report = reports.stream(id);
        if (report == null) {
            return ResponseEntity.status(404).contentType(MediaType.APPLICATION_JSON).body(Map.of("message",
                    "no upgrade " + id + " in the history (or not visible to you): GET /api/upgrades lists them"));
        }
        return ResponseEntity.ok().contentType(new MediaType("image", "svg+xml", StandardCharsets.UTF_8))
                .header("Content-Disposition", "attachment; filename=\"timeline-"
                        + id.replaceAll("[^A-Za-z0-9_-]", "_") + ".svg\"")
                // no script can run in it even if opened from this origin (it has none; this keeps it so)
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
                .body(TimelineSvg.document(report.head()));
    }

    /** One command's whole output as kept in the history (stdout or stderr), as plain text. */
    @GetMapping("/{id}/commands/{key}/output")
    public ResponseEntity<?> output(@PathVariable("id") String id, @PathVariable("key") String key,
            @RequestParam(name = "stream", required = false, defaultValue = "stdout") String stream) {
        if (!stream.equals("stdout") && !stream.equals("stderr")) {
            return ResponseEntity.badRequest().body(Map.of("field", "stream", "message",
                    "stream: '" + stream + "' is not stdout or stderr"));
        }
        Report.Command c = reports.command(id, key);
        if (c == null) {
            return ResponseEntity.status(404).contentType(MediaType.APPLICATION_JSON).body(Map.of("message",
                    "no command with key " + key + " in upgrade " + id + " (or not visible to you): the report's"
                            + " commands name their keys"));
        }
        String text = stream.equals("stdout") ? c.stdout() : c.stderr();
        return ResponseEntity.ok().contentType(new MediaType("text", "plain", StandardCharsets.UTF_8))
                .header("X-Output-Truncated-On-Host", String.valueOf(c.truncated()))
                .header("X-Output-Sha256", c.outputSha256() == null ? "" : c.outputSha256())
                .body(text == null ? "" : text);
    }
}
