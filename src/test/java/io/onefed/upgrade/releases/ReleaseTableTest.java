package io.onefed.upgrade.releases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.onefed.upgrade.steps.OneVersion;
import org.junit.jupiter.api.Test;

/**
 * The bundled release table: its format, and entries checked by hand against OpenNebula/one (the mirror is not
 * needed: src/tools/opennebula-release-table.sh regenerates the table, these entries catch a wrong regeneration).
 */
class ReleaseTableTest {

    private final ReleaseTable table = ReleaseTable.bundled();

    @Test
    void everyRowParsesAndTheTableCoversFiveToSeven() {
        assertThat(table.all()).hasSizeGreaterThan(90);
        assertThat(table.all().keySet()).contains(OneVersion.parse("5.0.1"), OneVersion.parse("7.4.0"));
        table.all().values().forEach(r -> {
            assertThat(r.ref()).matches("release-\\d+\\.\\d+\\.\\d+(\\.\\d+)?|one-\\d+\\.\\d+");
            // a release's shared DB version is never newer than the release itself
            assertThat(OneVersion.parse(r.sharedDbVersion())).isLessThanOrEqualTo(r.version());
        });
    }

    /** Checked by hand with git show REF:FILE on OpenNebula/one. */
    @Test
    void knownEntriesMatchTheSource() {
        // release-6.10.3:include/NebulaService.h line 162: return "6.10.0" (code_version() "6.10.3", line 153);
        // src/onedb/database_schema.rb line 142: LATEST_DB_VERSION = '6.10.0'
        assertRelease("6.10.3", "release-6.10.3", "6.10.0", "6.10.0");
        // release-6.10.0:include/NebulaService.h line 162: return "6.10.0"
        assertRelease("6.10.0", "release-6.10.0", "6.10.0", "6.10.0");
        // release-6.8.0:include/NebulaService.h line 162: return "6.8.0"
        assertRelease("6.8.0", "release-6.8.0", "6.8.0", "6.8.0");
        // release-7.0.0:include/NebulaService.h line 162: return "7.0.0"
        assertRelease("7.0.0", "release-7.0.0", "7.0.0", "7.0.0");
        // release-5.8.0:include/Nebula.h line 374: return "5.6.0" (5.8 kept 5.6's shared tables; onedb 5.8 prints
        // no "Required version")
        assertRelease("5.8.0", "release-5.8.0", "5.6.0", null);
        // release-5.4.1:include/Nebula.h line 369: return "5.4.1": a maintenance release that changed the shared tables
        assertRelease("5.4.1", "release-5.4.1", "5.4.1", null);
        // CE maintenance build: release-6.10.0.1
        assertRelease("6.10.0.1", "release-6.10.0.1", "6.10.0", "6.10.0");
    }

    @Test
    void developmentBuildsAreNotReleases() {
        assertThat(table.find(OneVersion.parse("6.99.80"))).isEmpty();
        assertThat(table.find(OneVersion.parse("5.11.85"))).isEmpty();
    }

    @Test
    void malformedRowsAreRefusedWithTheirLine() {
        assertThatThrownBy(() -> ReleaseTable.parse("# c\n6.10.0\trelease-6.10.0\t6.10.0\n"))
                .hasMessageContaining("line 2").hasMessageContaining("5 tab-separated columns");
        assertThatThrownBy(() -> ReleaseTable.parse("6.10.0\tr\tx\t6.10.0\t-\n")).hasMessageContaining("'x'");
        assertThatThrownBy(() -> ReleaseTable.parse("6.10.0\tr\t6.10.0\t6.10.0\t-\n6.10.0\tr\t6.10.0\t6.10.0\t-\n"))
                .hasMessageContaining("line 2").hasMessageContaining("twice");
    }

    private void assertRelease(String version, String ref, String shared, String onedb) {
        ReleaseTable.Release r = table.find(OneVersion.parse(version)).orElseThrow();
        assertThat(r.ref()).isEqualTo(ref);
        assertThat(r.sharedDbVersion()).isEqualTo(shared);
        assertThat(r.onedbRequiredShared()).isEqualTo(onedb);
    }
}
