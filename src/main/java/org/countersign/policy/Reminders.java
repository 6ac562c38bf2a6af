package org.countersign.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * When a ticket waiting for review is owed a reminder, and whom it asks: the project members who could
 * sign it off now under the same rule as {@link ReviewPolicy} (people, active, with the minimum access
 * level, not implementers, not Countersign). Pure, like the rest of the core.
 */
public final class Reminders {

    private Reminders() {
    }

    /**
     * The number of whole {@code after} periods the ticket has waited since {@code reviewSince} at
     * {@code now} (0 before the first reminder is due). Each period gets at most one reminder.
     */
    public static long period(Instant reviewSince, Instant now, Duration after) {
        if (after.isZero() || after.isNegative() || now.isBefore(reviewSince)) {
            return 0;
        }
        return Duration.between(reviewSince, now).toMillis() / after.toMillis();
    }

    /** The members who may sign the ticket off, by username. */
    public static List<UserRef> eligibleReviewers(TicketHistory h, PolicySettings s, List<ProjectMember> members) {
        return eligibleAmong(members, Implementers.of(h, s), s);
    }

    /**
     * The members who may sign off a ticket whose implementers are known only by id (a stored decision),
     * by username; {@code excluded} may also hold the reviewers whose sign-off already counts. The same
     * rule as a sign-off's ({@link ReviewPolicy#eligibility}), so the queue page, the API and the
     * reminders name the people a sign-off would be accepted from.
     */
    public static List<UserRef> eligibleReviewers(List<ProjectMember> members, java.util.Set<Long> excluded,
                                                  PolicySettings s) {
        return eligibleAmong(members, Implementers.ofIds(excluded, "implementer"), s);
    }

    private static List<UserRef> eligibleAmong(List<ProjectMember> members, Implementers implementers, PolicySettings s) {
        return members.stream()
                .filter(m -> ReviewPolicy.eligibility(m.user().id(), m.facts(), implementers, s) instanceof Reason.SignoffAccepted)
                .map(ProjectMember::user)
                .distinct()
                .sorted(Comparator.comparing(UserRef::username))
                .toList();
    }

    /**
     * The reminder the ticket is owed at {@code now}, if any: only while it waits in the review column
     * short of sign-offs ({@link Verdict#AWAITING_SIGNOFF}) for at least one period.
     */
    public static Optional<Action.RemindReviewers> remind(Decision d, TicketHistory h, PolicySettings s,
                                                          List<ProjectMember> members, Instant now, Duration after) {
        if (d.verdict() != Verdict.AWAITING_SIGNOFF || d.reviewSince().isEmpty()) {
            return Optional.empty();
        }
        Instant since = d.reviewSince().get();
        long period = period(since, now, after);
        if (period < 1) {
            return Optional.empty();
        }
        List<UserRef> reviewers = eligibleReviewers(h, s, members);
        String body = Wording.reminder(reviewers, since, now, d.validSignoffs(), d.requiredSignoffs(), s);
        return Optional.of(new Action.RemindReviewers(since, period, reviewers.stream().map(UserRef::username).toList(), body));
    }
}
