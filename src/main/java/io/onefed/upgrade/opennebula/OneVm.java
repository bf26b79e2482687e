package io.onefed.upgrade.opennebula;

/** A {@code <VM>} of {@code one.vmpool.info}: its state and LCM state. */
public record OneVm(int id, String name, int state, int lcmState) {
}
