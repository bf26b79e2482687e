package io.onefed.upgrade.opennebula;

/** A {@code <HOST>} of {@code one.hostpool.info}. */
public record OneHost(int id, String name, int state, String cluster) {

    /** Arguments of {@code one.host.status}: 0 enabled, 1 disabled, 2 offline. */
    public enum Status { ENABLED, DISABLED, OFFLINE }

    /** HOST/STATE 4 is DISABLED, 8 OFFLINE (HostState in src/host/Host.h). */
    public boolean isDisabled() {
        return state == 4;
    }
}
