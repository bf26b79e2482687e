package io.onefed.upgrade.status;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/federation/status}: the status view as JSON (200 whether healthy or not; see {@code healthy}),
 * one probe shared by all callers for a few seconds ({@link SharedFederationStatus}; {@code probedAt} says when).
 */
@RestController
public class FederationStatusController {

    private final SharedFederationStatus status;

    public FederationStatusController(SharedFederationStatus status) {
        this.status = status;
    }

    @GetMapping(path = "/api/federation/status", produces = MediaType.APPLICATION_JSON_VALUE)
    public FederationStatus status() {
        return status.current();
    }
}
