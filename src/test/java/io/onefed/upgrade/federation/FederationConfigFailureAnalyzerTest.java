package io.onefed.upgrade.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.support.SpringFactoriesLoader;

class FederationConfigFailureAnalyzerTest {

    private final List<ConfigProblem> problems = List.of(
            new ConfigProblem("federation.zones[1].endpoint", "'x' is not an absolute URL",
                    "set the zone's XML-RPC endpoint, e.g. http://192.168.150.1:2633/RPC2"),
            new ConfigProblem("federation.ssh.known-hosts", "the known_hosts file /nope does not exist",
                    "create it with ssh-keyscan"));

    @Test
    void printsOneLinePerProblemAndEachFix() {
        // as Spring sees it: wrapped in the bean creation failure
        Throwable failure = new BeanCreationException("federationConfig", "failed",
                new InvalidFederationConfigException(problems));

        FailureAnalysis analysis = new FederationConfigFailureAnalyzer().analyze(failure);

        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).contains("has 2 problems")
                .contains("    federation.zones[1].endpoint: 'x' is not an absolute URL")
                .contains("    federation.ssh.known-hosts: the known_hosts file /nope does not exist");
        assertThat(analysis.getDescription().lines().filter(l -> l.startsWith("    federation."))).hasSize(2);
        assertThat(analysis.getAction())
                .contains("    federation.zones[1].endpoint: set the zone's XML-RPC endpoint, e.g. http://192.168.150.1:2633/RPC2")
                .contains("    federation.ssh.known-hosts: create it with ssh-keyscan");
        assertThat(analysis.getCause()).isInstanceOf(InvalidFederationConfigException.class);
    }

    @Test
    void singularForOneProblem() {
        FailureAnalysis analysis = new FederationConfigFailureAnalyzer()
                .analyze(new InvalidFederationConfigException(problems.subList(0, 1)));
        assertThat(analysis.getDescription()).contains("has 1 problem:");
    }

    @Test
    void leavesOtherFailuresToOtherAnalyzers() {
        assertThat(new FederationConfigFailureAnalyzer().analyze(new IllegalStateException("other"))).isNull();
    }

    @Test
    void isRegisteredForSpringBoot() {
        // other analyzers need constructor arguments Spring Boot supplies; only ours matters here
        assertThat(SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
                .load(FailureAnalyzer.class, null, SpringFactoriesLoader.FailureHandler.handleMessage((m, e) -> { })))
                .hasAtLeastOneElementOfType(FederationConfigFailureAnalyzer.class);
    }
}
