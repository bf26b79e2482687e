package io.onefed.upgrade.releases;

/**
 * The procedure chosen for an upgrade and why, as the plan and the start approval show it.
 * {@code expectedSharedDbVersion}: the shared DB version the table gives the target (null when unknown), which
 * the master's {@code onedb version -v} must confirm after its package upgrade.
 */
public record ProcedureChoice(Procedure procedure, String reason, String runningSharedDbVersion,
        String expectedSharedDbVersion) {
}
