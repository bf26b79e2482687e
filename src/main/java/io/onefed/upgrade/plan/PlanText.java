package io.onefed.upgrade.plan;

import java.util.List;

/**
 * The canonical text of a plan: what the hash covers and what operators read. Stable by construction (no time
 * stamps, no host state), so the same configuration and facts always give the same hash.
 */
public final class PlanText {

    private PlanText() {
    }

    /** The first 12 hex digits of a plan hash, as forms and messages show it ("none" when there is none). */
    public static String shortHash(String hash) {
        return hash == null ? "none" : hash.substring(0, Math.min(12, hash.length()));
    }

    /**
     * What the approval form says when the plan rendered after the approval is not the approved one; null when it is
     * (then the approval covers it).
     */
    public static String changedSinceApproval(String approvedHash, Plan now) {
        if (now.sha256().equals(approvedHash)) {
            return null;
        }
        return "The plan changed after it was shown for approval (approved " + shortHash(approvedHash) + ", now "
                + shortHash(now.sha256()) + "): the configuration, the zones' leaders the package versions in the"
                + " repositories or the hypervisor hosts changed. Review the new plan and decide again.";
    }

    static String render(String upgradeId, String from, String target, String leaders, String procedure,
            String procedureReason, List<Plan.Phase> phases) {
        StringBuilder s = new StringBuilder();
        s.append("Upgrade plan ").append(upgradeId).append(": OpenNebula ").append(from).append(" -> ").append(target)
                .append('\n').append("Leaders: ").append(leaders == null || leaders.isBlank() ? "-" : leaders).append('\n')
                .append("Procedure: ").append(procedure).append(". ").append(procedureReason).append("\n\n");
        for (Plan.Phase p : phases) {
            s.append(p.order()).append(". [").append(p.zone()).append("] ").append(p.title()).append(" (")
                    .append(p.step()).append(")\n");
            if (p.actions().isEmpty()) {
                s.append("   (nothing to do)\n");
            }
            for (Plan.Action a : p.actions()) {
                s.append("   ").append(a.group()).append(' ').append(a.kind()).append(' ').append(a.server())
                        .append(" (").append(a.host()).append("): ").append(a.command()).append('\n');
            }
        }
        return s.toString();
    }

    /** One line per phase with its hosts: what fits in a form next to the full plan. */
    public static String summary(Plan plan, int maxChars) {
        String tail = "\nEvery command in full: the plan file variable 'plan' and GET /api/upgrades/plan.";
        StringBuilder s = new StringBuilder();
        s.append("OpenNebula ").append(plan.fromVersion()).append(" -> ").append(plan.targetVersion()).append(", ")
                .append(plan.phases().size()).append(" steps, ").append(plan.commandCount()).append(" actions\n")
                .append("Procedure: ").append(plan.procedure()).append(". ").append(plan.procedureReason()).append('\n')
                .append("Plan hash (SHA-256): ").append(plan.sha256()).append("\n\n");
        for (Plan.Phase p : plan.phases()) {
            StringBuilder line = new StringBuilder();
            line.append(p.order()).append(". [").append(p.zone()).append("] ").append(p.title());
            List<String> servers = p.actions().stream().map(Plan.Action::server).distinct().toList();
            if (!servers.isEmpty() && !servers.equals(List.of("api"))) {
                line.append(" on ").append(String.join(", ", servers));
            }
            line.append('\n');
            String more = "... and " + (plan.phases().size() - p.order() + 1) + " more steps\n";
            if (s.length() + line.length() + more.length() + tail.length() > maxChars) {
                s.append(more);
                break;
            }
            s.append(line);
        }
        return s.append(tail).toString();
    }
}
