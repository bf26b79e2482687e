package io.onefed.upgrade.security;

import org.camunda.bpm.engine.AuthorizationException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * An engine refusal inside an {@code /api} call (the engine checks the caller's authorizations, see
 * {@link EngineAuthenticationFilter}) is a 403 for the caller, not a server error.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
public class EngineAuthorizationExceptionHandler {

    @ExceptionHandler(AuthorizationException.class)
    ProblemDetail refused(AuthorizationException e) {
        // the engine's message names the user, the permission and the resource: useful and free of secrets
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, e.getMessage());
        problem.setTitle("Not allowed");
        return problem;
    }
}
