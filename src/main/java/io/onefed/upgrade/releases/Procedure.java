package io.onefed.upgrade.releases;

/**
 * How a federation is upgraded (OpenNebula's "Upgrading a Federation", the two cases of its introduction).
 * {@link #FEDERATED}: the upgrade changes the federated tables, all zones are stopped and upgraded together, the
 * slaves get the master's federated backup. {@link #ZONE_BY_ZONE}: it does not ("upgrade each zone
 * asynchronously"), each zone runs the single front-end or HA procedure on its own, the others keep serving.
 */
public enum Procedure {
    FEDERATED, ZONE_BY_ZONE
}
