package io.onefed.upgrade.steps;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Parsing {@code onedb version -v} as OneDB#version prints it (src/onedb/onedb.rb, release-6.10.3 lines 180-202). */
class DbVersionReaderTest {

    static final String VERBOSE = """
            Shared tables version:   6.10.0
            Required version:        6.10.3
            Timestamp: 12/01 18:02:11
            Comment:   Database migrated from 6.8.0 to 6.10.0 (OpenNebula 6.10.0) by onedb command.

            Local tables version:    6.10.0
            Required version:        6.10.0
            Timestamp: 12/01 18:02:11
            Comment:   Database migrated from 6.8.0 to 6.10.0 (OpenNebula 6.10.0) by onedb command.

            """;

    @Test
    void theRequiredSharedVersionIsTheLineAfterTheSharedTablesNotTheLocalOne() {
        assertThat(DbVersionReader.parseRequiredShared(VERBOSE)).contains("6.10.3");
        assertThat(DbVersionReader.parseShared(VERBOSE)).contains("6.10.0");
    }

    @Test
    void noRequiredLineBefore60OrAnEmptyValueIsUnknown() {
        // 5.x (release-5.12.0 onedb.rb): no "Required version:" line
        assertThat(DbVersionReader.parseRequiredShared("Shared tables version:   5.12.0\nTimestamp: 1\n")).isEmpty();
        // db_versioning unreadable: read_db_version returns no oned_version
        assertThat(DbVersionReader.parseRequiredShared("Shared tables version:   2.0\nRequired version:        \n")).isEmpty();
        // the non-verbose form is not what the reader runs
        assertThat(DbVersionReader.parseRequiredShared("Shared: 6.10.0\nRequired shared version: 6.10.0\n")).isEmpty();
    }
}
