package io.onefed.upgrade.progress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import io.onefed.upgrade.web.SharedReads;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * The live progress of an upgrade: {@code GET /api/upgrades/{id}/progress} (JSON) and the page
 * {@code /upgrades/{id}} that polls it every second. Both sit behind the API's HTTP Basic login and read rights
 * (security/SecurityConfig): operators and auditors read, the engine's authorizations apply. The page loads its
 * script and style from this service only ({@code /progress/live.js}, {@code /progress/live.css}) under a
 * Content-Security-Policy that allows nothing else: no inline script, no other host.
 */
@Controller
public class ProgressController {

    /** Only this service's own files; the JSON comes from the same origin. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final ProgressService progress;
    private final SharedReads<UpgradeProgress> reads;
    private final String page;

    public ProgressController(ProgressService progress, SharedReads<UpgradeProgress> reads) throws IOException {
        this.progress = progress;
        this.reads = reads;
        try (InputStream in = ProgressController.class.getResourceAsStream("live.html")) {
            this.page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @GetMapping(value = "/api/upgrades/{id}/progress", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    public ResponseEntity<?> progress(@PathVariable("id") String id,
            @RequestHeader(value = HttpHeaders.CACHE_CONTROL, required = false) String cacheControl) {
        // shared between the open pages: a fresh read if quick, else the latest at once (its generated says when)
        UpgradeProgress p = reads.read(id, SharedReads.onlyFresh(cacheControl)).value();
        return p == null ? notFound() : ResponseEntity.ok().header(HttpHeaders.CACHE_CONTROL, "no-store").body(p);
    }

    @GetMapping(value = "/upgrades/{id}", produces = MediaType.TEXT_HTML_VALUE)
    @ResponseBody
    public ResponseEntity<String> page(@PathVariable("id") String id) {
        if (!progress.exists(id)) {
            // the id is not echoed: whatever was sent stays out of the page
            return ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.TEXT_PLAIN)
                    .body("id: no upgrade has this id; GET /api/upgrades lists the ids of all upgrades\n");
        }
        return ResponseEntity.ok().header("Content-Security-Policy", CSP).header(HttpHeaders.CACHE_CONTROL, "no-store")
                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8)).body(page);
    }

    private static ResponseEntity<Map<String, String>> notFound() {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.APPLICATION_JSON).body(Map.of("field",
                "id", "message", "id: no upgrade has this id; GET /api/upgrades lists the ids of all upgrades"));
    }
}
