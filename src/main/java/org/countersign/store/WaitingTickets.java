package org.countersign.store;

/**
 * Which stored tickets wait for a sign-off, in SQL: the ones whose latest decision says so
 * ({@code AWAITING_SIGNOFF}), and the ones whose close was just undone back into the review column.
 *
 * <p>The latter keep {@code CLOSE_REJECTED} as their latest decision: Countersign's own reopen is not
 * evaluated again (its webhook is skipped and reconciliation is told the change was Countersign's, so that
 * an undone close costs no more GitLab calls). Once that reopen is done, such a ticket is open in the review
 * column with the review it had (the policy carries a review on when Countersign puts back what a rejected
 * close removed), short of sign-offs: the review queue, the reminders and the backlog count must show it.
 * A rejected close that was not in review ({@code review_since} null: put back into its earlier column),
 * or whose reopen is not done (pending, dead; shadow mode never reopens), is not waiting.
 */
public final class WaitingTickets {

    private WaitingTickets() {
    }

    /** The condition, on table or alias {@code t} of {@code ticket}, for a ticket waiting for a sign-off. */
    public static String awaitingSignoff(String t) {
        return "(" + t + ".verdict = 'AWAITING_SIGNOFF' OR " + undoneIntoReview(t) + ")";
    }

    /** The same, with tickets ready to close too: the tickets open in the review column. */
    public static String inReviewColumn(String t) {
        return "(" + t + ".verdict IN ('AWAITING_SIGNOFF', 'READY_TO_CLOSE') OR " + undoneIntoReview(t) + ")";
    }

    /** A close rejected in the review column whose reopen (action key {@code reopen:<closeRef>}) is done. */
    static String undoneIntoReview(String t) {
        return "(" + t + ".verdict = 'CLOSE_REJECTED' AND " + t + ".review_since IS NOT NULL AND EXISTS (SELECT 1 FROM "
                + "pending_action ra WHERE ra.project_id = " + t + ".project_id AND ra.iid = " + t + ".iid AND ra.action_key = "
                + "'reopen:' || (" + t + ".decision ->> 'closeRef') AND ra.status = 'DONE'))";
    }
}
