package io.onefed.upgrade.federation;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Prints a refused federation configuration as one line per problem ({@code field: message}) and, as the
 * action, the fix for each. Registered in {@code META-INF/spring.factories}.
 */
public class FederationConfigFailureAnalyzer extends AbstractFailureAnalyzer<InvalidFederationConfigException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidFederationConfigException cause) {
        StringBuilder description = new StringBuilder("The federation configuration has ")
                .append(cause.problems().size()).append(cause.problems().size() == 1 ? " problem:" : " problems:")
                .append(System.lineSeparator());
        StringBuilder action = new StringBuilder("Correct the federation YAML file (the file named by FEDERATION_CONFIG"
                + " or spring.config.import) and start again:").append(System.lineSeparator());
        for (ConfigProblem problem : cause.problems()) {
            description.append(System.lineSeparator()).append("    ").append(problem.field()).append(": ")
                    .append(problem.message());
            action.append(System.lineSeparator()).append("    ").append(problem.field()).append(": ")
                    .append(problem.fix());
        }
        return new FailureAnalysis(description.toString(), action.toString(), cause);
    }
}
