package io.onefed.upgrade.federation;

/**
 * Where OpenNebula lives on the front-ends. The defaults are those of a system-wide install; a self-contained
 * install (ONE_LOCATION) or the simulated federation sets them to its own directories.
 */
public record ZonePaths(
        String etc,
        String var,
        String lockFile,
        /** Where the detached, exactly-once remote runs keep their state on each host. */
        String runDir,
        /** Where federated backups are written and copied to. */
        String backupDir) {

    public ZonePaths {
        etc = orDefault(etc, "/etc/one");
        var = orDefault(var, "/var/lib/one");
        lockFile = orDefault(lockFile, "/var/lock/one/one");
        runDir = orDefault(runDir, "/var/lib/one-fed-upgrade/runs");
        backupDir = orDefault(backupDir, "/var/lib/one-fed-upgrade/backups");
    }

    static ZonePaths defaults() {
        return new ZonePaths(null, null, null, null, null);
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
