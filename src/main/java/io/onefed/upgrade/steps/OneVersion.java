package io.onefed.upgrade.steps;

import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenNebula release {@code major.minor.patch} or, on CE maintenance releases, {@code major.minor.patch.build}:
 * {@code one.system.version} answers {@code code_version()} ({@code include/NebulaService.h}, OpenNebula/one), which
 * is {@code "6.10.0.1"} on branch one-6.10 and {@code "7.0.1"} on one-7.0. {@code build} is 0 when absent.
 * Knows what the federation procedure needs from a version:
 * whether zone disable exists (6.2+) and which systemd units that release ships. Which upgrades must be
 * coordinated across the federation is the release table's to say ({@code releases/ProcedureService}).
 */
public record OneVersion(int major, int minor, int patch, int build) implements Comparable<OneVersion> {

    private static final Pattern FORMAT = Pattern.compile(
            "(\\d{1,3})\\.(\\d{1,3})(?:\\.(\\d{1,3})(?:\\.(\\d{1,3}))?)?");

    public OneVersion {
        if (major < 0 || minor < 0 || patch < 0 || build < 0) {
            throw new IllegalArgumentException("negative version component");
        }
    }

    public OneVersion(int major, int minor, int patch) {
        this(major, minor, patch, 0);
    }

    /**
     * Parses {@code 7.0}, {@code 7.0.1}, {@code 6.10.0.1} or a package version like {@code 7.0.1-1} (apt) or
     * {@code 6.10.0.1-1.el9} (rpm); throws with the accepted form.
     */
    public static OneVersion parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("version is missing: give it as MAJOR.MINOR.PATCH[.BUILD], e.g. 7.0.1 or 6.10.0.1");
        }
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.lookingAt() || (m.end() < text.trim().length() && text.trim().charAt(m.end()) != '-')) {
            throw new IllegalArgumentException("'" + abbreviate(text) + "' is not an OpenNebula version: give it as"
                    + " MAJOR.MINOR.PATCH[.BUILD], e.g. 7.0.1 or 6.10.0.1");
        }
        return new OneVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)),
                m.group(4) == null ? 0 : Integer.parseInt(m.group(4)));
    }

    /** The release series, as the package repositories name it: {@code 7.0}. */
    public String series() {
        return major + "." + minor;
    }

    public boolean sameSeries(OneVersion other) {
        return major == other.major && minor == other.minor;
    }

    /** {@code onezone disable/enable} exist from 6.2 on; before, API access is blocked by other means. */
    public boolean hasZoneDisable() {
        return compareTo(new OneVersion(6, 2, 0)) >= 0;
    }

    /** The OpenNebula systemd units this release ships ({@link ReleaseUnits}). */
    public List<String> units() {
        return ReleaseUnits.of(this);
    }

    @Override
    public int compareTo(OneVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Integer.compare(patch, o.patch);
        }
        return c != 0 ? c : Integer.compare(build, o.build);
    }

    public boolean isAfter(OneVersion o) {
        return compareTo(o) > 0;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (build > 0 ? "." + build : "");
    }

    private static String abbreviate(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 40 ? clean.substring(0, 40) + "..." : clean;
    }

    public static boolean equalsIgnoringPatch(OneVersion a, OneVersion b) {
        return Objects.equals(a.series(), b.series());
    }
}
