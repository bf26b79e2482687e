package io.onefed.upgrade.releases;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The procedure decided on real entries of the release table. */
class ProcedureServiceTest {

    private final ProcedureService service = new ProcedureService(ReleaseTable.bundled());

    @Test
    void aMaintenanceReleaseOfTheSameSeriesGoesZoneByZone() {
        ProcedureChoice c = service.choose("6.10.0", "6.10.3", false);
        assertThat(c.procedure()).isEqualTo(Procedure.ZONE_BY_ZONE);
        assertThat(c.reason()).contains("share the shared (federated) DB version 6.10.0").contains("forceFederated");
        assertThat(c.expectedSharedDbVersion()).isEqualTo("6.10.0");
        assertThat(service.choose("6.10.0", "6.10.0.1", false).procedure()).isEqualTo(Procedure.ZONE_BY_ZONE);
    }

    @Test
    void aNewMinorReleaseChangesTheSharedVersionAndIsFederated() {
        ProcedureChoice c = service.choose("6.8.0", "6.10.0", false);
        assertThat(c.procedure()).isEqualTo(Procedure.FEDERATED);
        assertThat(c.reason()).contains("changes from 6.8.0 (6.8.0) to 6.10.0 (6.10.0)");
        assertThat(service.choose("6.10.3", "7.0.0", false).procedure()).isEqualTo(Procedure.FEDERATED);
    }

    /** What the table says, not the series: 5.6 -> 5.8 keeps 5.6.0, 5.4.0 -> 5.4.2 changes it. */
    @Test
    void theTableDecidesNotTheVersionNumbers() {
        assertThat(service.choose("5.6.2", "5.8.5", false).procedure()).isEqualTo(Procedure.ZONE_BY_ZONE);
        ProcedureChoice c = service.choose("5.4.0", "5.4.2", false);
        assertThat(c.procedure()).isEqualTo(Procedure.FEDERATED);
        assertThat(c.reason()).contains("from 5.4.0 (5.4.0) to 5.4.1 (5.4.2)");
    }

    @Test
    void anUnknownReleaseIsFederated() {
        ProcedureChoice c = service.choose("6.10.3", "6.10.9", false);
        assertThat(c.procedure()).isEqualTo(Procedure.FEDERATED);
        assertThat(c.reason()).contains("6.10.9 is not in the release table");
        assertThat(c.expectedSharedDbVersion()).isNull();
        assertThat(service.choose("6.10.9", "6.10.10", false).reason()).contains("6.10.9 is not in the release table");
    }

    @Test
    void anOperatorCanForceTheFederatedProcedure() {
        ProcedureChoice c = service.choose("6.10.0", "6.10.3", true);
        assertThat(c.procedure()).isEqualTo(Procedure.FEDERATED);
        assertThat(c.reason()).contains("an operator asked for it").contains("share the shared DB version 6.10.0");
    }
}
