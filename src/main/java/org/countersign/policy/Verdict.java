package org.countersign.policy;

/** Where a ticket stands with respect to the four-eyes rule. */
public enum Verdict {
    /** Outside the governed scope (scope label never carried). */
    NOT_GOVERNED,
    /** Closed before Countersign first watched the project: left alone. */
    GRANDFATHERED,
    /** Open and not in the review column. */
    IN_PROGRESS,
    /** Open, in the review column, still short of sign-offs. */
    AWAITING_SIGNOFF,
    /** Open, in the review column, with enough valid sign-offs: it may be closed. */
    READY_TO_CLOSE,
    /** Closed after review with enough sign-offs. */
    CLOSE_ACCEPTED,
    /** Closed without a valid review: to be reopened. */
    CLOSE_REJECTED,
    /** Closed under the emergency path: the close stands, a retroactive review is due by a deadline. */
    REVIEW_OWED
}
