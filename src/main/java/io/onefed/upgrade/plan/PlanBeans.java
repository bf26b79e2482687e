package io.onefed.upgrade.plan;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.opennebula.OneClients;
import io.onefed.upgrade.ssh.DetachedRuns;
import io.onefed.upgrade.steps.FederationProbe;
import io.onefed.upgrade.steps.RemoteStepService;
import io.onefed.upgrade.steps.ZoneCommands;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The plan service; self-contained so the {@code plan} command's small context (no engine) can use it too. */
@Configuration
public class PlanBeans {

    @Bean
    PlanService planService(FederationProperties federation, OneClients clients, DetachedRuns runs) {
        // plan() only renders commands: the detached runs are never called
        return new PlanService(federation, new RemoteStepService(federation, new ZoneCommands(), runs, Duration.ZERO),
                new FederationProbe(clients), new io.onefed.upgrade.steps.NodeHosts(federation, clients));
    }

    @Bean
    ApprovedPlanGuard approvedPlanGuard(PlanService plans, FederationProperties federation) {
        return new ApprovedPlanGuard(plans, federation);
    }
}
