package io.onefed.upgrade.process;

/**
 * Attempt numbering, the one place it is decided. Every idempotency key holds the attempt numbers, so raising one
 * is the one way a command runs a second time: only an operator's "retry" raises the step attempt ("wait" attaches
 * to the same runs again); a zone, stop or slave retry always starts a new attempt. Numbers start at 1.
 */
final class Attempts {

    private Attempts() {
    }

    static int next(int current) {
        if (current < 1) {
            throw new IllegalArgumentException("attempt numbers start at 1, not " + current);
        }
        return current + 1;
    }

    /** The step attempt after an operator's decision on a failed or overdue step. */
    static int stepAttemptAfter(String decision, int current) {
        return "retry".equals(decision) ? next(current) : current;
    }
}
