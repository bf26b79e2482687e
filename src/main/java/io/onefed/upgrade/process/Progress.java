package io.onefed.upgrade.process;

import org.camunda.bpm.engine.delegate.VariableScope;

/** The outcome so far, in words, for the later approval gates: what has been done to the federation. */
final class Progress {

    private Progress() {
    }

    static String summary(VariableScope v) {
        StringBuilder s = new StringBuilder();
        s.append("OpenNebula ").append(or(v, "fromVersion")).append(" -> ").append(or(v, "targetVersion")).append('\n');
        s.append("Hypervisor hosts disabled: ").append(or(v, "hostsDisabled")).append('\n');
        s.append("API access: ").append(v.getVariable("apiBlocked") != null ? "blocked (" + v.getVariable("apiBlocked") + ")"
                : Boolean.FALSE.equals(v.getVariable("hasZoneDisable")) ? "blocked by hand (before 6.2)" : "-").append('\n');
        Object master = v.getVariable("zoneOutcome");
        s.append("Master zone: ").append(master == null ? "not upgraded yet" : master).append('\n');
        s.append("Slave zones upgraded: ").append(orNone(v, "upgradedSlaveZoneIds")).append('\n');
        s.append("Slave zones failed or left out: ").append(orNone(v, "failedSlaveZoneIds")).append('\n');
        Object path = v.getVariable("federatedBackupPath");
        if (path != null) {
            s.append("Federated backup: ").append(path).append('\n')
                    .append("  SHA-256 ").append(or(v, "federatedBackupSha256")).append('\n');
        }
        Object post = v.getVariable("postChecksPassed");
        if (post != null) {
            s.append("Post-checks: ").append(Boolean.TRUE.equals(post) ? "passed" : "FAILED (see below)").append('\n');
        }
        s.append("Full detail: GET /api/upgrades/").append(or(v, "upgradeId")).append("/report");
        return s.toString();
    }

    private static String or(VariableScope v, String name) {
        Object o = v.getVariable(name);
        return o == null ? "-" : o.toString();
    }

    private static String orNone(VariableScope v, String name) {
        Object o = v.getVariable(name);
        return o == null || o.toString().isBlank() ? "none" : o.toString();
    }
}
