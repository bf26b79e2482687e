package io.onefed.upgrade.web;

import io.onefed.upgrade.audit.Report;
import io.onefed.upgrade.audit.ReportHtml;
import io.onefed.upgrade.audit.ReportService;
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
 * authorizations, so auditors read it and nobody changes anything through it.
 */
@RestController
@RequestMapping("/api/upgrades")
public class ReportController {

    private final ReportService reports;

    public ReportController(ReportService reports) {
        this.reports = reports;
    }

    @GetMapping("/{id}/report")
    public ResponseEntity<?> report(@PathVariable("id") String id,
            @RequestParam(name = "format", required = false) String format,
            @RequestHeader(name = "Accept", required = false) String accept) {
        if (format != null && !format.equals("json") && !format.equals("html")) {
            return ResponseEntity.badRequest().body(Map.of("field", "format", "message",
                    "format: '" + format + "' is not json or html"));
        }
        Report report = reports.report(id);
        boolean json = "json".equals(format) || (format == null && accept != null
                && accept.contains(MediaType.APPLICATION_JSON_VALUE) && !accept.contains(MediaType.TEXT_HTML_VALUE));
        if (report == null) {
            return ResponseEntity.status(404).contentType(MediaType.APPLICATION_JSON).body(Map.of("message",
                    "no upgrade " + id + " in the history (or not visible to you): GET /api/upgrades lists them"));
        }
        if (json) {
            return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(report);
        }
        return ResponseEntity.ok().contentType(new MediaType("text", "html", java.nio.charset.StandardCharsets.UTF_8))
                .body(ReportHtml.render(report));
    }
}
