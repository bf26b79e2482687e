package io.onefed.upgrade.status;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/federation/status}: the status view as JSON (200 whether healthy or not; see {@code healthy}). */
@RestController
public class FederationStatusController {

    private final FederationStatusService service;

    public FederationStatusController(FederationStatusService service) {
        this.service = service;
    }

    @GetMapping(path = "/api/federation/status", produces = MediaType.APPLICATION_JSON_VALUE)
    public FederationStatus status() {
        return service.status();
    }
}
