package io.onefed.upgrade.security;

import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** An /api endpoint for the tests only (@TestComponent keeps it out of other tests' component scan). */
@TestComponent
@RestController
@RequestMapping("/api/test-probe")
class ApiProbeController {

    private final CurrentUser currentUser;
    private final IdentityService identity;
    private final RuntimeService runtime;

    ApiProbeController(CurrentUser currentUser, IdentityService identity, RuntimeService runtime) {
        this.currentUser = currentUser;
        this.identity = identity;
        this.runtime = runtime;
    }

    @GetMapping("/whoami")
    Map<String, Object> whoami() {
        Authentication engine = identity.getCurrentAuthentication();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("user", currentUser.idOr("nobody"));
        result.put("engineUser", engine == null ? null : engine.getUserId());
        result.put("engineGroups", engine == null ? null : engine.getGroupIds());
        result.put("operator", currentUser.hasRole(Role.OPERATOR));
        result.put("auditor", currentUser.hasRole(Role.AUDITOR));
        result.put("admin", currentUser.hasRole(Role.ADMIN));
        return result;
    }

    /** As /api/upgrades starts: the service's own start, recording the caller as start user. */
    @PostMapping("/start")
    String start() {
        return new io.onefed.upgrade.process.ServiceStart(runtime, identity).start(SecuredAppTestBase.TEST_PROCESS,
                "api-start", Map.of(), currentUser.idOr(null)).getId();
    }

    /** A write behind a GET: only the engine's own check stands between an auditor and a new instance. */
    @GetMapping("/start-behind-get")
    String startBehindGet() {
        return runtime.startProcessInstanceByKey(SecuredAppTestBase.TEST_PROCESS, "api-start-get").getId();
    }
}
