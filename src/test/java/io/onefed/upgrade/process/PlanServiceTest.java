package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.plan.Plan;
import io.onefed.upgrade.plan.PlanService;
import io.onefed.upgrade.plan.PlanText;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The plan service on the in-memory federation, without the engine. */
class PlanServiceTest {

    @Test
    void theDryRunReadsVersionAndLeadersAndRendersTheHaProcedure() {
        FakeFederation fed = new FakeFederation("6.10.0", true, "S-EU-GE");
        fed.zone(0).leader = "m-eu-fr-fe2";
        Plan plan = ProcessTestSupport.planService(fed, fed.properties).dryRun("7.0.0");
        assertThat(plan.fromVersion()).isEqualTo("6.10.0");
        assertThat(plan.zoneLeaders()).contains("0=m-eu-fr-fe2");
        List<String> masterSteps = plan.phases().stream().filter(p -> p.zone().equals("M-EU-FR")).map(Plan.Phase::step).toList();
        assertThat(masterSteps).containsSubsequence("stop-services", "backup-config", "backup-db", "switch-repository",
                "upgrade-db", "dump-leader-db", "copy-leader-dump", "restore-followers", "pack-leader-config",
                "copy-leader-config", "apply-leader-config", "start-services", "federated-backup", "checksum-backup");
        // a slave saves its own configuration and database before the master's federated tables replace its own
        List<String> slaveSteps = plan.phases().stream().filter(p -> p.zone().equals("S-EU-GE")).map(Plan.Phase::step).toList();
        assertThat(slaveSteps).containsSubsequence("backup-config", "backup-db", "copy-federated-backup",
                "restore-federated", "switch-repository", "upgrade-config", "upgrade-db").doesNotContain("apply-leader-config");
        assertThat(plan.phases().stream().filter(p -> p.step().equals("restore-federated")).findFirst().orElseThrow()
                .actions().get(0).command()).contains("onedb version -v").contains(PlanService.MASTER_SHARED_PLACEHOLDER);
        assertThat(plan.phases().stream().filter(p -> p.zone().equals("M-EU-FR") && p.step().equals("upgrade-config"))
                .findFirst().orElseThrow().actions()).as("onecfg on the leader only").singleElement()
                .satisfies(a -> assertThat(a.server()).isEqualTo("m-eu-fr-fe2"));
        assertThat(plan.phases().stream().filter(p -> p.zone().equals("M-EU-FR") && p.step().equals("apply-leader-config"))
                .findFirst().orElseThrow().actions()).extracting(Plan.Action::server)
                .containsExactlyInAnyOrder("m-eu-fr-fe0", "m-eu-fr-fe1");
        Plan.Phase upgradeDb = plan.phases().stream().filter(p -> p.zone().equals("M-EU-FR") && p.step().equals("upgrade-db"))
                .findFirst().orElseThrow();
        assertThat(upgradeDb.actions()).singleElement().satisfies(a -> assertThat(a.server()).isEqualTo("m-eu-fr-fe2"));
        assertThat(fed.started).as("the dry run changes nothing").isEmpty();
    }

    /** Point 9 of issue 11: every hypervisor host is in the plan (before, no host appeared), and in its hash. */
    @Test
    void everyHypervisorHostIsInThePlanBetweenTheApiCheckAndTheSync() {
        FakeFederation fed = new FakeFederation("6.10.0", false, true, "S-EU-GE");
        String nodes = new io.onefed.upgrade.steps.NodeHosts(fed.properties, fed).read();
        assertThat(nodes).isEqualTo("0=0:host0 1:host1;100=1000:host1000 1001:host1001");
        PlanService plans = ProcessTestSupport.planService(fed, fed.properties);
        Plan plan = plans.plan("U1", "6.10.0", "7.0.0", "", true, null, nodes);
        List<String> masterSteps = plan.phases().stream().filter(p -> p.zone().equals("M-EU-FR")).map(Plan.Phase::step).toList();
        assertThat(masterSteps).containsSubsequence("start-services", "check-api", "upgrade-nodes", "sync-hosts");
        Plan.Phase nodeStep = plan.phases().stream().filter(p -> p.zone().equals("S-EU-GE") && p.step().equals("upgrade-nodes"))
                .findFirst().orElseThrow();
        assertThat(nodeStep.actions()).extracting(Plan.Action::server).containsExactly("host1000", "host1001");
        assertThat(nodeStep.actions()).allMatch(a -> a.command().contains("--force-confold opennebula-node-kvm"));
        // one host less is another plan: an approval of the old one does not cover it
        assertThat(plans.plan("U1", "6.10.0", "7.0.0", "", true, null, "0=0:host0;100=1000:host1000 1001:host1001").sha256())
                .isNotEqualTo(plan.sha256());
        // a zone without nodes configured says so in the plan
        FakeFederation plain = FakeFederation.guide("6.10.0");
        Plan.Phase none = ProcessTestSupport.planService(plain, plain.properties).plan("U1", "6.10.0", "7.0.0", "", true)
                .phases().stream().filter(p -> p.step().equals("upgrade-nodes")).findFirst().orElseThrow();
        assertThat(none.actions()).singleElement().satisfies(a -> assertThat(a.command()).contains("nodes is not configured"));
    }

    @Test
    void aZoneThatDoesNotAnswerOrAnOlderTargetIsRefusedWithTheReason() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        PlanService plans = ProcessTestSupport.planService(fed, fed.properties);
        assertThatThrownBy(() -> plans.dryRun("6.8.0")).hasMessageContaining("targetVersion: 6.8.0 is not newer than the running 6.10.0");
        assertThatThrownBy(() -> plans.dryRun("seven")).hasMessageContaining("targetVersion: 'seven' is not a version");
        fed.zone(101).running = false;
        assertThatThrownBy(() -> plans.dryRun("7.0.0")).hasMessageContaining("S-US-CA").hasMessageContaining("not reachable");
    }

    /** Point 4 of issue 11: what is installed is what was approved; the old plan had no version to pin. */
    @Test
    void thePackageVersionsArePinnedInThePlanAndCoveredByItsHash() {
        FakeFederation fed = FakeFederation.guide("6.10.0.1");
        PlanService plans = ProcessTestSupport.planService(fed, fed.properties);
        Plan v0 = plans.plan("U1", "6.10.0.1", "7.0.0", "", true, "0=7.0.0-1,100=7.0.0-1,101=7.0.0-1", null);
        Plan v1 = plans.plan("U1", "6.10.0.1", "7.0.0", "", true, "0=7.0.0-1,100=7.0.0-2,101=7.0.0-1", null);
        assertThat(v0.sha256()).isNotEqualTo(v1.sha256());
        Plan.Phase packages = v1.phases().stream().filter(p -> p.zone().equals("S-EU-GE") && p.step().equals("upgrade-packages"))
                .findFirst().orElseThrow();
        assertThat(packages.title()).contains("exactly 7.0.0-2");
        assertThat(packages.actions()).singleElement().satisfies(a -> assertThat(a.command())
                .contains("opennebula=7.0.0-2").contains("opennebula-migration=7.0.0-2")
                .contains("-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"));
    }

    @Test
    void theSummaryOfAHundredZonesFitsAStringVariable() {
        String[] slaves = IntStream.range(0, 100).mapToObj(i -> "SLAVE-" + i).toArray(String[]::new);
        FakeFederation fed = new FakeFederation("6.10.0", false, slaves);
        Plan plan = ProcessTestSupport.planService(fed, fed.properties).plan("U1", "6.10.0", "7.0.0", "", true);
        String summary = PlanText.summary(plan, Vars.MAX_STRING);
        assertThat(summary.length()).isLessThanOrEqualTo(Vars.MAX_STRING);
        assertThat(summary).contains(plan.sha256()).contains("more steps").contains("GET /api/upgrades/plan");
        assertThat(plan.phases().size()).isGreaterThan(1000);
        assertThat(PlanService.sha256(plan.text())).isEqualTo(plan.sha256());
    }

    /** CheckApprovedPlan's rule: an approval covers only the plan with the approved hash; any other plan re-opens it. */
    @Test
    void onlyThePlanWithTheApprovedHashIsCoveredByTheApproval() {
        FakeFederation fed = FakeFederation.guide("6.10.0");
        Plan plan = ProcessTestSupport.planService(fed, fed.properties).dryRun("7.0.0");
        assertThat(PlanText.changedSinceApproval(plan.sha256(), plan)).isNull();
        assertThat(PlanText.changedSinceApproval("0123456789abcdef", plan)).contains("approved 0123456789ab")
                .contains("now " + PlanText.shortHash(plan.sha256())).contains("decide again");
        assertThat(PlanText.changedSinceApproval(null, plan)).as("no approved hash: nothing is covered")
                .contains("approved none");
    }
}
