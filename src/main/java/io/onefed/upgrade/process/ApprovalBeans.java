package io.onefed.upgrade.process;

import io.onefed.upgrade.notify.ApprovalReminder;
import io.onefed.upgrade.notify.Notifier;
import io.onefed.upgrade.notify.UpgradeEndedListener;
import io.onefed.upgrade.plan.ApprovedPlanGuard;
import io.onefed.upgrade.plan.PlanService;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The approval gates' beans as the BPMN names them: listener, plan rendering and check, deadline, reminders. */
@Configuration
@EnableConfigurationProperties(ApprovalSettings.class)
public class ApprovalBeans {

    @Bean
    ApprovalListener approvalListener(Clock clock, ApprovalSettings settings, Notifier notifier) {
        return new ApprovalListener(clock, settings, notifier);
    }

    @Bean
    RenderPlanDelegate renderPlanDelegate(PlanService plans) {
        return new RenderPlanDelegate(plans);
    }

    @Bean
    CheckApprovedPlanDelegate checkApprovedPlanDelegate(PlanService plans, ApprovedPlanGuard guard) {
        return new CheckApprovedPlanDelegate(plans, guard);
    }

    @Bean
    ApprovalDeadline approvalDeadline(ApprovalSettings settings) {
        return new ApprovalDeadline(settings);
    }

    @Bean
    ApprovalReminder approvalReminder(Notifier notifier) {
        return new ApprovalReminder(notifier);
    }

    @Bean
    UpgradeEndedListener upgradeEndedListener(Notifier notifier) {
        return new UpgradeEndedListener(notifier);
    }
}
