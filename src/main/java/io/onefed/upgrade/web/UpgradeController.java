package io.onefed.upgrade.web;

import com.fasterxml.jackson.databind.JsonMappingException;
import io.onefed.upgrade.process.UpgradeRuns;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/upgrades}: start an upgrade and follow it. Approvals are ordinary Camunda user tasks (Tasklist or
 * the engine's task REST API); this API lists the pending ones with their task ids.
 */
@RestController
@RequestMapping("/api/upgrades")
public class UpgradeController {

    /** {@code forceFederated}: true runs the federated procedure even when zone by zone would do (issue 14). */
    public record StartRequest(String targetVersion, Integer maxParallelZones, Boolean forceFederated) {
    }

    public record RollbackRequest(String reason) {
    }

    private final UpgradeRuns runs;
    private final io.onefed.upgrade.process.RollbackRuns rollbacks;
    private final SharedReads<UpgradeRuns.Status> reads;

    public UpgradeController(UpgradeRuns runs, io.onefed.upgrade.process.RollbackRuns rollbacks,
            SharedReads<UpgradeRuns.Status> reads) {
        this.runs = runs;
        this.rollbacks = rollbacks;
        this.reads = reads;
    }

    /** "Roll back this upgrade" (an aborted one): operators only (the API chain), approved by another operator. */
    @PostMapping("/{id}/rollback")
    public ResponseEntity<Map<String, String>> rollback(@PathVariable("id") String id,
            @RequestBody(required = false) RollbackRequest request, Principal principal) {
        String started = rollbacks.start(id, request == null ? null : request.reason(),
                principal == null ? "anonymous" : principal.getName());
        return started == null ? ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("field", "id", "message",
                "id: no upgrade has this id; GET /api/upgrades lists the ids of all upgrades"))
                : ResponseEntity.accepted().location(URI.create("/api/upgrades/" + id))
                        .body(Map.of("id", id, "rollback", "waiting for another operator's approval (ApproveRollback)"));
    }

    @PostMapping
    public ResponseEntity<Map<String, String>> start(@RequestBody StartRequest request, Principal principal) {
        if (request == null) {
            throw new UpgradeRuns.InvalidRequestException("body", "send {\"targetVersion\": \"7.0.0\"}");
        }
        String id = runs.start(request.targetVersion(), request.maxParallelZones(),
                Boolean.TRUE.equals(request.forceFederated()), principal == null ? "anonymous" : principal.getName());
        return ResponseEntity.created(URI.create("/api/upgrades/" + id)).body(Map.of("id", id));
    }

    @GetMapping
    public List<String> list() {
        return runs.ids();
    }

    /**
     * The upgrade's status, from a read that began after this call if it ends within onefed.status.upgrade-read-wait,
     * else the latest earlier one (its readAt says when it began; SharedReads). {@code Cache-Control: no-cache}
     * asks for a read begun after the call, however long it takes.
     */
    @GetMapping("/{id}")
    public ResponseEntity<?> status(@PathVariable("id") String id,
            @RequestHeader(value = HttpHeaders.CACHE_CONTROL, required = false) String cacheControl) {
        UpgradeRuns.Status status = reads.read(id, SharedReads.onlyFresh(cacheControl)).value();
        // the id is not echoed: whatever was sent stays out of the answer
        return status == null ? ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("field", "id", "message",
                "id: no upgrade has this id; GET /api/upgrades lists the ids of all upgrades"))
                : ResponseEntity.ok().header(HttpHeaders.CACHE_CONTROL, "no-store").body(status);
    }

    @ExceptionHandler(UpgradeRuns.InvalidRequestException.class)
    ResponseEntity<Map<String, String>> invalid(UpgradeRuns.InvalidRequestException e) {
        return ResponseEntity.badRequest().body(Map.of("field", e.field(), "message", e.getMessage()));
    }

    @ExceptionHandler(UpgradeRuns.UpgradeRunningException.class)
    ResponseEntity<Map<String, String>> running(UpgradeRuns.UpgradeRunningException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("message", e.getMessage()));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, String>> unreadable(HttpMessageNotReadableException e) {
        // a value of the wrong type: name its field (Jackson knows it) rather than the whole body
        if (e.getCause() instanceof JsonMappingException m && !m.getPath().isEmpty()
                && List.of("targetVersion", "maxParallelZones", "forceFederated").contains(m.getPath().get(0).getFieldName())) {
            String field = m.getPath().get(0).getFieldName();
            String fix = switch (field) {
                case "maxParallelZones" -> "give a whole number from 1 to 1000, e.g. 5";
                case "forceFederated" -> "give true (run the federated procedure) or false";
                default -> "give a string like \"7.0.0\"";
            };
            return ResponseEntity.badRequest().body(Map.of("field", field, "message", field + ": wrong type; " + fix));
        }
        return ResponseEntity.badRequest().body(Map.of("field", "body", "message",
                "body: not a JSON object like {\"targetVersion\": \"7.0.0\", \"maxParallelZones\": 5}"));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, String>> mediaType(HttpMediaTypeNotSupportedException e) {
        return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).body(Map.of("field", "Content-Type", "message",
                "Content-Type: send the body as application/json, e.g. {\"targetVersion\": \"7.0.0\"}"));
    }
}
