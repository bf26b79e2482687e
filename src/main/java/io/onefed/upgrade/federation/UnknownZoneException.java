package io.onefed.upgrade.federation;

/** A zone id that the configured federation does not have. The message lists the zones it does have. */
public class UnknownZoneException extends IllegalArgumentException {

    private final int zoneId;

    public UnknownZoneException(int zoneId, String federation, String knownZones) {
        super("zone " + zoneId + " is not part of federation '" + federation + "'; use one of: " + knownZones);
        this.zoneId = zoneId;
    }

    public int zoneId() {
        return zoneId;
    }
}
