package io.onefed.upgrade.plan;

import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/upgrades/plan?targetVersion=7.0.0}: the dry run. Reads the zones' version and leaders
 * (read-only XML-RPC) and renders every action the upgrade would take, in order, without touching anything.
 * JSON by default (with the text and its SHA-256), plain text with {@code format=text}; {@code forceFederated=true}
 * shows the federated procedure where zone by zone would do.
 */
@RestController
@RequestMapping("/api/upgrades")
public class PlanController {

    private final PlanService plans;

    public PlanController(PlanService plans) {
        this.plans = plans;
    }

    @GetMapping("/plan")
    public ResponseEntity<?> plan(@RequestParam(name = "targetVersion", required = false) String targetVersion,
            @RequestParam(name = "format", required = false) String format,
            @RequestParam(name = "forceFederated", required = false) Boolean forceFederated) {
        if (targetVersion == null || targetVersion.isBlank()) {
            return ResponseEntity.badRequest().body(Map.of("field", "targetVersion", "message",
                    "targetVersion: required, e.g. /api/upgrades/plan?targetVersion=7.0.0"));
        }
        if (format != null && !format.equals("json") && !format.equals("text")) {
            return ResponseEntity.badRequest().body(Map.of("field", "format", "message",
                    "format: '" + format + "' is not json or text"));
        }
        Plan plan = plans.dryRun(targetVersion, Boolean.TRUE.equals(forceFederated));
        if ("text".equals(format)) {
            return ResponseEntity.ok().contentType(MediaType.TEXT_PLAIN)
                    .header("X-Plan-Sha256", plan.sha256()).body(plan.text());
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(plan);
    }

    @ExceptionHandler(PlanService.PlanException.class)
    ResponseEntity<Map<String, String>> cannotPlan(PlanService.PlanException e) {
        // a bad target version is the caller's; zones down or disagreeing is the federation's state
        return e.getMessage().startsWith("targetVersion")
                ? ResponseEntity.badRequest().body(Map.of("field", "targetVersion", "message", e.getMessage()))
                : ResponseEntity.status(409).body(Map.of("message", e.getMessage()));
    }
}
