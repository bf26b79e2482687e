package io.onefed.upgrade.releases;

import io.onefed.upgrade.steps.OneVersion;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * OpenNebula releases and the database versions their code requires, read by {@code src/tools/opennebula-release-table.sh}
 * from OpenNebula/one ({@code shared_db_version()} and {@code local_db_version()} in {@code include/Nebula.h} up to
 * 6.0, {@code include/NebulaService.h} from 6.2 on; onedb's {@code LATEST_DB_VERSION}, which
 * {@code onedb version -v} prints as the shared "Required version:" from 6.0 on) into the resource
 * {@code opennebula-releases.tsv}. Releases are looked up exactly: a release the table lacks is unknown.
 */
public final class ReleaseTable {

    static final String RESOURCE = "/io/onefed/upgrade/releases/opennebula-releases.tsv";

    /** One release: where it was read ({@code release-6.10.3}, {@code one-7.4}) and its DB versions. */
    public record Release(OneVersion version, String ref, String sharedDbVersion, String localDbVersion,
            String onedbRequiredShared) {
    }

    private final Map<OneVersion, Release> releases;

    ReleaseTable(Map<OneVersion, Release> releases) {
        this.releases = Collections.unmodifiableMap(new LinkedHashMap<>(releases));
    }

    /** The table shipped with the service. */
    public static ReleaseTable bundled() {
        try (InputStream in = ReleaseTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + RESOURCE + " is missing from the build");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** Tab-separated rows, {@code #} comments; a malformed row fails with its line number. */
    static ReleaseTable parse(String text) {
        Map<OneVersion, Release> rows = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new java.io.StringReader(text))) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f.length != 5) {
                    throw new IllegalArgumentException("line " + n + ": 5 tab-separated columns expected, got " + f.length);
                }
                OneVersion v = OneVersion.parse(f[0]);
                OneVersion.parse(f[2]);
                OneVersion.parse(f[3]);
                if (!f[4].equals("-")) {
                    OneVersion.parse(f[4]);
                }
                if (rows.put(v, new Release(v, f[1], f[2], f[3], f[4].equals("-") ? null : f[4])) != null) {
                    throw new IllegalArgumentException("line " + n + ": release " + v + " is listed twice");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ReleaseTable(rows);
    }

    public Optional<Release> find(OneVersion version) {
        return Optional.ofNullable(releases.get(version));
    }

    public Map<OneVersion, Release> all() {
        return releases;
    }
}
