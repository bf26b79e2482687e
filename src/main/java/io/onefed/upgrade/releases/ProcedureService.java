package io.onefed.upgrade.releases;

import io.onefed.upgrade.steps.OneVersion;
import java.util.Optional;

/**
 * Decides between the federated and the zone-by-zone procedure from the shared DB versions of the running and
 * the target release ({@link ReleaseTable}): the same version means no federated table changes, so each zone can
 * be upgraded on its own; a different or an unknown one, or an operator's request, means the federated procedure.
 */
public class ProcedureService {

    private final ReleaseTable table;

    public ProcedureService(ReleaseTable table) {
        this.table = table;
    }

    public ProcedureChoice choose(String fromVersion, String targetVersion, boolean forceFederated) {
        OneVersion from = OneVersion.parse(fromVersion);
        OneVersion target = OneVersion.parse(targetVersion);
        Optional<String> fromShared = table.find(from).map(ReleaseTable.Release::sharedDbVersion);
        Optional<String> targetShared = table.find(target).map(ReleaseTable.Release::sharedDbVersion);
        String running = fromShared.orElse(null);
        String expected = targetShared.orElse(null);
        if (forceFederated) {
            return new ProcedureChoice(Procedure.FEDERATED, "Federated procedure: an operator asked for it"
                    + " (forceFederated); " + describe(from, fromShared, target, targetShared) + ".", running, expected);
        }
        if (fromShared.isEmpty() || targetShared.isEmpty()) {
            OneVersion unknown = fromShared.isEmpty() ? from : target;
            return new ProcedureChoice(Procedure.FEDERATED, "Federated procedure: OpenNebula " + unknown
                    + " is not in the release table, so whether the upgrade changes the federated tables is unknown;"
                    + " the federated procedure is safe either way.", running, expected);
        }
        if (!running.equals(expected)) {
            return new ProcedureChoice(Procedure.FEDERATED, "Federated procedure: the shared (federated) DB version"
                    + " changes from " + running + " (" + from + ") to " + expected + " (" + target + "), so all zones"
                    + " are stopped and upgraded together and the slaves get the master's federated tables.", running, expected);
        }
        return new ProcedureChoice(Procedure.ZONE_BY_ZONE, "Zone by zone: " + from + " and " + target + " share the"
                + " shared (federated) DB version " + running + ", so no federated table changes and each zone is"
                + " upgraded on its own, master first, while the other zones keep serving. The master's onedb version -v"
                + " confirms " + expected + " after its package upgrade; request forceFederated to stop all zones instead.",
                running, expected);
    }

    private static String describe(OneVersion from, Optional<String> fromShared, OneVersion target,
            Optional<String> targetShared) {
        if (fromShared.isEmpty() || targetShared.isEmpty()) {
            return "the release table does not know " + (fromShared.isEmpty() ? from : target);
        }
        return fromShared.equals(targetShared) ? from + " and " + target + " share the shared DB version " + fromShared.get()
                : "the shared DB version changes from " + fromShared.get() + " to " + targetShared.get();
    }
}
