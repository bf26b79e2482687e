package io.onefed.upgrade.federation;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Start-up refused because the federation configuration has problems; {@link FederationConfigFailureAnalyzer}
 * turns it into one line per problem and the fixes. The message names fields only, never a secret.
 */
public class InvalidFederationConfigException extends RuntimeException {

    private final transient List<ConfigProblem> problems;

    public InvalidFederationConfigException(List<ConfigProblem> problems) {
        super("Invalid federation configuration, " + problems.size() + " problem(s): "
                + problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
