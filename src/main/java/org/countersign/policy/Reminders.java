package org.countersign.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * When a ticket waiting for review is owed a reminder, and whom it asks: the project members who could
 * sign it off now under the same rule as {@link ReviewPolicy} (people, active, with the minimum access
 * level, not implementers, not Countersign) and have not already given a sign-off that counts. Pure,
 * like the rest of the core.
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

    /**
     * The members a ticket waiting for review still needs, by username: those who may sign it off under
     * the rule of a sign-off ({@link ReviewPolicy#eligibility}: people, active, with the minimum access
     * level, not implementers, not Countersign) and whose sign-off does not already count. The one rule
     * behind the queue page, the API (which know a ticket by its stored decision, so by ids) and the
     * reminders, so they name the same people.
     *
     * @param implementerIds   who worked on the ticket
     * @param countedSignerIds who already gave a sign-off that counts: nothing left for them to do
     */
    public static List<UserRef> stillToSign(List<ProjectMember> members, Collection<Long> implementerIds,
                                            Collection<Long> countedSignerIds, PolicySettings s) {
        Set<Long> excluded = new HashSet<>(implementerIds);
        excluded.addAll(countedSignerIds);
        return eligibleAmong(members, Implementers.ofIds(excluded, "implementer or already signed"), s);
    }

    /** As {@link #stillToSign(List, Collection, Collection, PolicySettings)}, for a decision. */
    public static List<UserRef> stillToSign(Decision d, List<ProjectMember> members, PolicySettings s) {
        return stillToSign(members, d.implementers().stream().map(i -> i.user().id()).toList(),
                d.signoffs().stream().filter(SignoffCheck::counts).map(c -> c.signer().id()).toList(), s);
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
     * short of sign-offs ({@link Verdict#AWAITING_SIGNOFF}) for at least one period. It asks those
     * {@link #stillToSign} names; {@code s} is the policy the decision was made under (the project's).
     */
    public static Optional<Action.RemindReviewers> remind(Decision d, PolicySettings s, List<ProjectMember> members,
                                                          Instant now, Duration after) {
        if (d.verdict() != Verdict.AWAITING_SIGNOFF || d.reviewSince().isEmpty()) {
            return Optional.empty();
        }
        Instant since = d.reviewSince().get();
        long period = period(since, now, after);
        if (period < 1) {
            return Optional.empty();
        }
        List<UserRef> reviewers = stillToSign(d, members, s);
        String body = Wording.reminder(reviewers, since, now, d.validSignoffs(), d.requiredSignoffs(), s);
        return Optional.of(new Action.RemindReviewers(since, period, reviewers.stream().map(UserRef::username).toList(), body));
    }
}
