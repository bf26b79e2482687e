package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.plan.Plan;
import io.onefed.upgrade.plan.PlanService;
import io.onefed.upgrade.plan.PlanText;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 14, part 2: the plan of a maintenance upgrade follows rolling-upgrade and says why; the hash covers it. */
class ZoneByZonePlanTest {

    final FakeFederation fed = new FakeFederation("6.10.0", false, "S-EU-GE", "S-US-CA");
    final PlanService plans = ProcessTestSupport.planService(fed, fed.properties);

    @Test
    void aMaintenanceReleaseIsPlannedZoneByZoneMasterFirstWithoutFederatedSteps() {
        Plan plan = plans.plan("U1", "6.10.0", "6.10.3", "", true, null, null);
        assertThat(plan.procedure()).isEqualTo("ZONE_BY_ZONE");
        assertThat(plan.procedureReason()).contains("6.10.0 and 6.10.3 share the shared (federated) DB version 6.10.0");
        assertThat(plan.expectedSharedDbVersion()).isEqualTo("6.10.0");
        assertThat(plan.text()).contains("Procedure: ZONE_BY_ZONE. Zone by zone: 6.10.0 and 6.10.3");
        List<String> steps = plan.phases().stream().map(p -> p.zone() + "/" + p.step()).toList();
        assertThat(steps).noneMatch(s -> s.endsWith("/federated-backup") || s.endsWith("/restore-federated")
                || s.endsWith("/copy-federated-backup") || s.endsWith("/block-api") || s.endsWith("/enable-api")
                || s.equals("federation/disable-hosts"));
        // each zone on its own: its hosts, stop, backups, zone steps, hosts again; the master's shared version is
        // confirmed between its package upgrade and its onedb upgrade, so before the first slave is touched
        assertThat(steps).containsSubsequence("M-EU-FR/disable-zone-hosts", "M-EU-FR/stop-services",
                "M-EU-FR/backup-db", "M-EU-FR/upgrade-packages", "M-EU-FR/confirm-shared-version",
                "M-EU-FR/upgrade-config", "M-EU-FR/upgrade-db", "M-EU-FR/start-services", "M-EU-FR/enable-zone-hosts",
                "S-EU-GE/disable-zone-hosts", "S-EU-GE/stop-services",
                "S-EU-GE/upgrade-db", "S-EU-GE/enable-zone-hosts", "S-US-CA/disable-zone-hosts", "federation/post-checks");
        assertThat(steps.indexOf("M-EU-FR/confirm-shared-version")).isLessThan(steps.indexOf("S-EU-GE/disable-zone-hosts"));
        Plan.Phase confirm = plan.phases().stream().filter(p -> p.step().equals("confirm-shared-version")).findFirst().orElseThrow();
        assertThat(confirm.title()).contains("6.10.0").contains("before its onedb upgrade");
        assertThat(steps).filteredOn(x -> x.endsWith("/confirm-shared-version")).hasSize(1);
        assertThat(confirm.actions()).singleElement().satisfies(a -> assertThat(a.command()).startsWith("onedb version -v"));
    }

    @Test
    void aZoneByZonePlanListsTheRollbackSlavesFirstMasterLastUnderItsHash() {
        Plan plan = plans.plan("U1", "6.10.0", "6.10.3", "", true, null, null);
        List<String> steps = plan.phases().stream().map(p -> p.zone() + "/" + p.step()).toList();
        // after the upgrade's own phases, the rollback as the federated plan lists it: slaves first, master last,
        // then API access and the hosts each zone recorded
        assertThat(steps).containsSubsequence("federation/post-checks", "federation/rollback",
                "S-EU-GE/rollback-stop-services", "S-EU-GE/rollback-restore-db", "S-EU-GE/rollback-packages",
                "S-US-CA/rollback-stop-services", "M-EU-FR/rollback-stop-services", "M-EU-FR/rollback-restore-db",
                "M-EU-FR/rollback-packages", "M-EU-FR/rollback-check", "federation/rollback-enable-api",
                "federation/rollback-enable-hosts");
        Plan.Phase hosts = plan.phases().stream().filter(p -> p.step().equals("rollback-enable-hosts")).findFirst()
                .orElseThrow();
        assertThat(hosts.title()).contains("each zone recorded as enabled before its own upgrade");
        // the hash covers the rollback: the same values render the same plan, the federated one another
        assertThat(plans.plan("U1", "6.10.0", "6.10.3", "", true, null, null).sha256()).isEqualTo(plan.sha256());
    }

    @Test
    void forcingTheFederatedProcedureIsAnotherPlanWithAnotherHash() {
        Plan rolling = plans.plan("U1", "6.10.0", "6.10.3", "", true, null, null);
        Plan forced = plans.plan("U1", "6.10.0", "6.10.3", "", true, null, null, true);
        assertThat(forced.procedure()).isEqualTo("FEDERATED");
        assertThat(forced.procedureReason()).contains("an operator asked for it");
        assertThat(forced.phases()).anyMatch(p -> p.step().equals("federated-backup"));
        assertThat(forced.sha256()).isNotEqualTo(rolling.sha256());
        assertThat(PlanText.summary(forced, 4000)).contains("Procedure: FEDERATED. Federated procedure: an operator asked");
    }

    @Test
    void aNewSeriesStaysFederatedAndSaysWhy() {
        Plan plan = plans.plan("U1", "6.10.0", "7.0.0", "", true, null, null);
        assertThat(plan.procedure()).isEqualTo("FEDERATED");
        assertThat(plan.text()).contains("the shared (federated) DB version changes from 6.10.0 (6.10.0) to 7.0.0 (7.0.0)");
    }
}
