package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.federation.FederationProperties;
import io.onefed.upgrade.plan.ApprovedPlanGuard;
import io.onefed.upgrade.plan.PlanService;
import io.onefed.upgrade.steps.NodeHosts;
import io.onefed.upgrade.steps.RemoteStepService;
import io.onefed.upgrade.steps.ZoneStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The guard on its own: what a step may use of the values its upgrade's start approval covered. */
class ApprovedPlanGuardTest {

    final FakeFederation fed = new FakeFederation("6.10.0", false, true, "S-EU-GE");
    final PlanService plans = ProcessTestSupport.planService(fed, fed.properties);
    final ApprovedPlanGuard guard = new ApprovedPlanGuard(plans, fed.properties);
    final String nodes = new NodeHosts(fed.properties, fed).read();
    final String versions = "0=7.0.0-1,100=7.0.0-1";
    final ApprovedPlanGuard.Approved approved = new ApprovedPlanGuard.Approved("U1", "6.10.0", "7.0.0", "", true,
            versions, nodes, plans.plan("U1", "6.10.0", "7.0.0", "", true, versions, nodes).sha256());

    RemoteStepService.Request step(int zone, ZoneStep step, String target, String path, String stepNodes) {
        return new RemoteStepService.Request("U1", zone, step, 1, 1, "6.10.0", target, "", path, versions, null, stepNodes);
    }

    @Test
    void theApprovedValuesPassAndSkippedHostsMayOnlyShrinkTheList() {
        assertThatCode(() -> guard.checkStep(approved, step(0, ZoneStep.UPGRADE_NODES, "7.0.0", null, nodes)))
                .doesNotThrowAnyException();
        String skipped = NodeHosts.without(nodes, 100, java.util.Set.of("host1001"));
        assertThatCode(() -> guard.checkStep(approved, step(100, ZoneStep.UPGRADE_NODES, "7.0.0", null, skipped)))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> guard.checkStep(approved, step(100, ZoneStep.UPGRADE_NODES, "7.0.0", null,
                nodes.replace("1001:host1001", "1001:host1001 1002:evil"))))
                .hasMessageContaining("zoneNodes names hosts the approved plan does not: [1002:evil]");
    }

    @Test
    void anotherTargetOrBackupPathIsRefusedNamingTheField() {
        assertThatThrownBy(() -> guard.checkStep(approved, step(100, ZoneStep.UPGRADE_PACKAGES, "7.0.1", null, nodes)))
                .isInstanceOf(ApprovedPlanGuard.NotApprovedException.class)
                .hasMessageContaining("targetVersion is '7.0.1', the approved plan has '7.0.0'");
        assertThatThrownBy(() -> guard.checkStep(approved, step(100, ZoneStep.RESTORE_FEDERATED, "7.0.0", "/root/x.sql", nodes)))
                .hasMessageContaining("federatedBackupPath is '/root/x.sql'");
        assertThatThrownBy(() -> guard.checkCopy(approved, 100, "6.10.0", "7.0.0", "", "/root/x.sql"))
                .hasMessageContaining("federatedBackupPath is '/root/x.sql'");
    }

    @Test
    void withoutAnApprovedPlanOrWithValuesThatRenderAnotherPlanNothingRuns() {
        ApprovedPlanGuard.Approved none = new ApprovedPlanGuard.Approved("U1", "6.10.0", "7.0.0", "", true, versions,
                nodes, null);
        assertThatThrownBy(() -> guard.checkStep(none, step(0, ZoneStep.STOP_SERVICES, "7.0.0", null, nodes)))
                .hasMessageContaining("no approved plan");
        ApprovedPlanGuard.Approved changed = new ApprovedPlanGuard.Approved("U1", "6.10.0", "7.0.0", "", true,
                "0=7.0.9-1,100=7.0.0-1", nodes, approved.approvedPlanHash());
        assertThatThrownBy(() -> guard.checkStep(changed, step(0, ZoneStep.STOP_SERVICES, "7.0.0", null, nodes)))
                .hasMessageContaining("not the approved");
    }

    @Test
    void aFanOutsFirstStepsRenderThePlanOnceNotOncePerZone() throws Exception {
        AtomicInteger renders = new AtomicInteger();
        CountDownLatch othersWaiting = new CountDownLatch(1);
        PlanService counting = new PlanService(fed.properties,
                new RemoteStepService(fed.properties, new io.onefed.upgrade.steps.ZoneCommands(), fed, Duration.ZERO),
                new io.onefed.upgrade.steps.FederationProbe(fed)) {
            @Override
            public io.onefed.upgrade.plan.Plan plan(String upgradeId, String fromVersion, String targetVersion,
                    String zoneLeaders, boolean hasZoneDisable, String zonePackageVersions, String zoneNodes,
                    boolean forceFederated) {
                renders.incrementAndGet();
                try {
                    // the first render holds on until the other steps have arrived, as in a fan-out's burst
                    othersWaiting.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.plan(upgradeId, fromVersion, targetVersion, zoneLeaders, hasZoneDisable,
                        zonePackageVersions, zoneNodes, forceFederated);
            }
        };
        ApprovedPlanGuard cold = new ApprovedPlanGuard(counting, fed.properties);
        List<Thread> steps = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> {
                try {
                    cold.checkStep(approved, step(100, ZoneStep.STOP_SERVICES, "7.0.0", null, nodes));
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            steps.add(t);
            t.start();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (steps.stream().filter(t -> t.getState() == Thread.State.BLOCKED).count() < 7
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        othersWaiting.countDown();
        for (Thread t : steps) {
            t.join(10_000);
        }
        assertThat(failures).isEmpty();
        assertThat(renders.get()).as("renders of the plan for 8 steps arriving together").isEqualTo(1);
    }

    /**
     * CheckApprovedPlan renders the plan right after the approval. Its proof is kept, so the fan-out's first steps
     * render nothing (at 100 zones they waited about 2 s for that render). A render with another hash proves
     * nothing, and the proof covers exactly the values it was rendered from.
     */
    @Test
    void aRenderRightAfterTheApprovalSparesTheStepsTheirs() {
        AtomicInteger renders = new AtomicInteger();
        PlanService counting = new PlanService(fed.properties,
                new RemoteStepService(fed.properties, new io.onefed.upgrade.steps.ZoneCommands(), fed, Duration.ZERO),
                new io.onefed.upgrade.steps.FederationProbe(fed)) {
            @Override
            public io.onefed.upgrade.plan.Plan plan(String upgradeId, String fromVersion, String targetVersion,
                    String zoneLeaders, boolean hasZoneDisable, String zonePackageVersions, String zoneNodes,
                    boolean forceFederated) {
                renders.incrementAndGet();
                return super.plan(upgradeId, fromVersion, targetVersion, zoneLeaders, hasZoneDisable,
                        zonePackageVersions, zoneNodes, forceFederated);
            }
        };
        ApprovedPlanGuard warmed = new ApprovedPlanGuard(counting, fed.properties);
        warmed.rendered(approved, "0".repeat(64));
        warmed.rendered(approved, approved.approvedPlanHash());
        warmed.checkStep(approved, step(100, ZoneStep.STOP_SERVICES, "7.0.0", null, nodes));
        warmed.checkCopy(approved, 100, "6.10.0", "7.0.0", "", io.onefed.upgrade.steps.ZoneCommands.federatedBackupPath(
                io.onefed.upgrade.steps.StepContext.onLeader("U1", fed.properties.master(), "6.10.0", "7.0.0", "")));
        assertThat(renders.get()).as("renders after CheckApprovedPlan's").isZero();

        ApprovedPlanGuard.Approved changed = new ApprovedPlanGuard.Approved("U1", "6.10.0", "7.0.0", "", true,
                "0=7.0.9-1,100=7.0.0-1", nodes, approved.approvedPlanHash());
        assertThatThrownBy(() -> warmed.checkStep(changed, step(0, ZoneStep.STOP_SERVICES, "7.0.0", null, nodes)))
                .hasMessageContaining("not the approved");
        assertThat(renders.get()).as("other values are rendered afresh").isOne();

        ApprovedPlanGuard wrongHash = new ApprovedPlanGuard(counting, fed.properties);
        wrongHash.rendered(approved, "0".repeat(64));
        wrongHash.checkStep(approved, step(100, ZoneStep.STOP_SERVICES, "7.0.0", null, nodes));
        assertThat(renders.get()).as("a render with another hash proved nothing").isEqualTo(2);
    }
    /**
     * Attack: the configuration changed after the approval, so the root's values render another plan; a variable of
     * CheckApprovedPlan's own scope shadows the changed value so that its render matches the approved hash. That
     * render proves nothing for the root's values, which are what the steps read: the first step still refuses.
     */
    @Test
    void aLocalVariableShadowingTheRootsValueLeavesNoProof() {
        ApprovedPlanGuard.Approved rootNow = new ApprovedPlanGuard.Approved("U1", "6.10.0", "7.0.0", "", true,
                "0=7.0.9-1,100=7.0.0-1", nodes, approved.approvedPlanHash());
        org.camunda.bpm.engine.delegate.DelegateExecution root = execution(rootNow, null);
        org.camunda.bpm.engine.delegate.DelegateExecution local = execution(approved, root);

        new CheckApprovedPlanDelegate(plans, guard).execute(local);

        org.mockito.Mockito.verify(local).setVariable("planUnchanged", true);
        assertThatThrownBy(() -> guard.checkStep(rootNow, step(0, ZoneStep.STOP_SERVICES, "7.0.0", null, nodes)))
                .hasMessageContaining("not the approved");
    }

    /** An execution whose variables are {@code values}; its process instance is {@code root}, or itself. */
    static org.camunda.bpm.engine.delegate.DelegateExecution execution(ApprovedPlanGuard.Approved values,
            org.camunda.bpm.engine.delegate.DelegateExecution root) {
        var e = org.mockito.Mockito.mock(org.camunda.bpm.engine.delegate.DelegateExecution.class);
        org.mockito.Mockito.when(e.getProcessBusinessKey()).thenReturn(values.upgradeId());
        org.mockito.Mockito.when(e.getProcessInstance()).thenReturn(root == null ? e : root);
        java.util.Map<String, Object> vars = new java.util.HashMap<>();
        vars.put("fromVersion", values.fromVersion());
        vars.put("targetVersion", values.targetVersion());
        vars.put("zoneLeaders", values.zoneLeaders());
        vars.put("hasZoneDisable", values.hasZoneDisable());
        vars.put("zonePackageVersions", values.zonePackageVersions());
        vars.put("zoneNodes", values.zoneNodes());
        vars.put("forceFederated", values.forceFederated());
        vars.put("approvedPlanHash", values.approvedPlanHash());
        org.mockito.Mockito.when(e.getVariable(org.mockito.ArgumentMatchers.anyString()))
                .thenAnswer(i -> vars.get(i.<String>getArgument(0)));
        return e;
    }
}
