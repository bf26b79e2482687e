package io.onefed.upgrade.federation;

/**
 * The zone's OpenNebula database as {@code onedb} reaches it. Without {@code backend} onedb reads {@code DB}
 * from oned.conf. A MySQL password is passed to onedb through {@code ONE_DB_PASSWORD}, never on a command line.
 */
public record DatabaseProperties(
        /** {@code sqlite} or {@code mysql}. */
        String backend,
        String host,
        Integer port,
        String user,
        String name,
        SecretRef password) {
}
