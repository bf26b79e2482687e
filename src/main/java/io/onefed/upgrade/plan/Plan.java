package io.onefed.upgrade.plan;

import java.util.List;

/**
 * Every action an upgrade would take, in the order the process takes it: API calls and the commands of every
 * remote step per zone and host. {@link #text()} is the canonical rendering; {@link #sha256()} its hash, which an
 * approval records so that a changed plan needs a new approval (design decision 4). Carries no secret: commands
 * are rendered without them by construction. {@code procedure} ({@code FEDERATED} or {@code ZONE_BY_ZONE}) and
 * {@code procedureReason} say which procedure the phases follow and why (issue 14); the text, so the hash, has them.
 */
public record Plan(String upgradeId, String fromVersion, String targetVersion, String zoneLeaders,
        boolean hasZoneDisable, String procedure, String procedureReason, String expectedSharedDbVersion,
        List<Phase> phases, String text, String sha256) {

    /** One box of the process: a step on one zone (or the federation), with its actions. */
    public record Phase(int order, String zone, String step, String title, List<Action> actions) {
    }

    /**
     * One action. {@code group}: actions of the same group run side by side, groups one after another.
     * {@code kind}: {@code ssh} (a shell command on {@code server}), {@code api} (an XML-RPC call on the zone's
     * endpoint), {@code copy} (a checksum-verified file transfer), {@code manual} (an operator confirms).
     */
    public record Action(int group, String kind, String server, String host, String command) {
    }

    public int commandCount() {
        return phases.stream().mapToInt(p -> p.actions().size()).sum();
    }
}
