package io.onefed.upgrade.process;

/**
 * The due date of the approval gates' reminder timers ({@code ${approvalDeadline.duration}} in the BPMN).
 * A BPMN boundary timer always needs a due date, so without a configured deadline it is set a century ahead:
 * it never fires and the gate simply waits for its operator.
 */
public class ApprovalDeadline {

    static final String NONE = "P36500D";

    private final ApprovalSettings settings;

    public ApprovalDeadline(ApprovalSettings settings) {
        this.settings = settings;
    }

    public String getDuration() {
        return settings.deadline() == null ? NONE : settings.deadline().toString();
    }
}
