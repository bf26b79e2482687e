package io.onefed.upgrade.federation;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Package family of a front-end: decides the package manager used for the repository switch and upgrade. */
public enum OsFamily {
    DEBIAN(PackageManager.APT),
    UBUNTU(PackageManager.APT),
    RHEL(PackageManager.DNF),
    ALMALINUX(PackageManager.DNF);

    public enum PackageManager { APT, DNF }

    private final PackageManager packageManager;

    OsFamily(PackageManager packageManager) {
        this.packageManager = packageManager;
    }

    public PackageManager packageManager() {
        return packageManager;
    }

    public static Optional<OsFamily> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String wanted = text.trim().toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(f -> f.name().equals(wanted)).findFirst();
    }

    public static String accepted() {
        return Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT)).reduce((a, b) -> a + ", " + b).orElse("");
    }
}
