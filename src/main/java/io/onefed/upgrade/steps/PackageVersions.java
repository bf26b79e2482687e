package io.onefed.upgrade.steps;

import io.onefed.upgrade.federation.Leaders;
import java.util.Map;

/**
 * The exact package version of the target release per zone, as the preflight found it in each zone's target
 * repository: kept in the process as {@code zonePackageVersions}, e.g. {@code 0=7.0.1-1,100=7.0.1-1.el9} (same
 * form as {@code zoneLeaders}), shown in the plan and so covered by the plan hash the approval records.
 */
public final class PackageVersions {

    private PackageVersions() {
    }

    public static String format(Map<Integer, String> versions) {
        return Leaders.formatMap(versions);
    }

    public static Map<Integer, String> parse(String text) {
        return Leaders.parseMap(text);
    }

    /** The zone's version, or null when none was recorded (then nothing is pinned). */
    public static String forZone(String text, int zoneId) {
        return parse(text).get(zoneId);
    }
}
