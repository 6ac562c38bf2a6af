package org.countersign.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The four-eyes rule as a pure function of a ticket's GitLab history.
 *
 * <p>The history is replayed in time order. The ticket is "in review" from the moment the review
 * label is added until it is removed; removing it voids the sign-offs given so far. A removal made by
 * the closer within {@link PolicySettings#closeWindow()} of a close is part of that close (dragging
 * the card to the board's Closed list), so the ticket still counts as closed from the review column;
 * if Countersign then reopens it and puts the label back, the review goes on with its sign-offs.
 *
 * <p>A close is valid when the ticket was in review at that moment and held at least
 * {@link PolicySettings#requiredSignoffs()} sign-offs from distinct eligible reviewers given during
 * that review. Only the latest close is judged; closes before {@code watchedSince} are left alone.
 *
 * <p>Never throws for a business outcome and never calls anything: same input, same decision.
 */
public final class ReviewPolicy {

    private ReviewPolicy() {
    }

    public static Decision decide(TicketHistory h, PolicySettings s, Instant watchedSince) {
        if (s.scopeLabel().isPresent() && !everCarried(h, s.scopeLabel().get())) {
            return new Decision(h.projectId(), h.iid(), Verdict.NOT_GOVERNED,
                    List.of(new Reason(ReasonCode.OUT_OF_SCOPE,
                            "The ticket never carried the label **" + s.scopeLabel().get() + "**, so the rule does not apply.")),
                    List.of(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(), 0, s.requiredSignoffs());
        }
        Replay replay = new Replay(h, s);
        replay.run();
        return replay.decide(watchedSince);
    }

    private static boolean everCarried(TicketHistory h, String label) {
        return h.labels().contains(label)
                || h.labelChanges().stream().anyMatch(c -> c.label().equals(label));
    }

    /** One pass over the history; holds the column state while replaying. */
    private static final class Replay {
        private final TicketHistory h;
        private final PolicySettings s;
        private final Implementers implementers;
        private final List<StateChange> states;
        private final Set<Long> removalsPartOfClose = new HashSet<>();
        private final Map<Long, List<LabelChange>> removedAtClose = new HashMap<>();

        private boolean inReview;
        private boolean closed;
        private boolean labelRemovedByClose;
        private Instant reviewSince;
        private final List<SignoffCheck> period = new ArrayList<>();
        private final List<SignoffCheck> voided = new ArrayList<>();
        private final List<SignoffCheck> checks = new ArrayList<>();
        private final Map<Long, Integer> validSoFarByNote = new HashMap<>();
        private final Map<Long, CloseSnapshot> closes = new HashMap<>();

        private record CloseSnapshot(boolean inReview, Instant reviewSince, List<SignoffCheck> signoffs,
                                     List<SignoffCheck> voidedBefore) {
        }

        private record Step(Instant at, int order, long id, Object event) {
        }

        Replay(TicketHistory h, PolicySettings s) {
            this.h = h;
            this.s = s;
            this.implementers = Implementers.of(h, s);
            this.states = new ArrayList<>(h.stateChanges());
            if (h.closed() && states.stream().noneMatch(c -> c.kind() == StateChange.Kind.CLOSED) && h.closedAt().isPresent()) {
                // Closed, but GitLab kept no state event for it: judge the close the issue reports.
                states.add(new StateChange(syntheticCloseId(h.closedAt().get()), h.closedAt().get(),
                        h.closedBy().orElse(new UserRef(-1, "ghost")), StateChange.Kind.CLOSED));
            }
            for (StateChange c : states) {
                if (c.kind() == StateChange.Kind.CLOSED) {
                    List<LabelChange> removed = removedByClose(c);
                    removedAtClose.put(c.id(), removed);
                    removed.forEach(l -> removalsPartOfClose.add(l.id()));
                }
            }
        }

        /**
         * The label removals that belong to {@code close}: per label, the closer's last removal within
         * the close window, provided the label was not added again between it and the close.
         */
        private List<LabelChange> removedByClose(StateChange close) {
            Map<String, LabelChange> latest = new java.util.LinkedHashMap<>();
            for (LabelChange l : h.labelChanges()) {
                if (!l.added() && l.user().id() == close.user().id() && within(l.at(), close.at(), s.closeWindow())) {
                    LabelChange known = latest.get(l.label());
                    if (known == null || EVENT_ORDER.compare(l, known) > 0) {
                        latest.put(l.label(), l);
                    }
                }
            }
            List<LabelChange> result = new ArrayList<>();
            for (LabelChange removal : latest.values()) {
                boolean addedAgain = h.labelChanges().stream().anyMatch(a -> a.added() && a.label().equals(removal.label())
                        && EVENT_ORDER.compare(a, removal) > 0 && !a.at().isAfter(close.at().plus(s.closeWindow()))
                        && !a.at().isBefore(removal.at()));
                if (!addedAgain) {
                    result.add(removal);
                }
            }
            return result;
        }

        void run() {
            List<Step> steps = new ArrayList<>();
            for (LabelChange c : h.labelChanges()) {
                steps.add(new Step(c.at(), c.added() ? 0 : 1, c.id(), c));
            }
            for (StateChange c : states) {
                steps.add(new Step(c.at(), 2, c.id(), c));
            }
            for (Comment c : h.comments()) {
                steps.add(new Step(c.at(), 3, c.id(), c));
            }
            steps.sort(Comparator.comparing(Step::at).thenComparingInt(Step::order).thenComparingLong(Step::id));
            for (Step step : steps) {
                if (step.event() instanceof LabelChange c) {
                    onLabel(c);
                } else if (step.event() instanceof StateChange c) {
                    onState(c);
                } else if (step.event() instanceof Comment c) {
                    onComment(c);
                }
            }
        }

        private void onLabel(LabelChange c) {
            if (!c.label().equals(s.reviewLabel())) {
                return;
            }
            if (c.added()) {
                if (labelRemovedByClose && c.user().id() == s.botUserId()) {
                    labelRemovedByClose = false; // Countersign put back what a rejected close removed
                } else if (!inReview) {
                    inReview = true;
                    reviewSince = c.at();
                    period.clear();
                }
            } else if (removalsPartOfClose.contains(c.id())) {
                labelRemovedByClose = true;
            } else if (inReview) {
                leaveReview();
            }
        }

        private void onState(StateChange c) {
            switch (c.kind()) {
                case CLOSED -> {
                    closed = true;
                    closes.put(c.id(), new CloseSnapshot(inReview, reviewSince, List.copyOf(period), List.copyOf(voided)));
                }
                case REOPENED, OPENED -> {
                    closed = false;
                    if (labelRemovedByClose && c.user().id() != s.botUserId()) {
                        // Reopened by a person after a drag to Closed: the card is no longer in the column.
                        labelRemovedByClose = false;
                        if (inReview) {
                            leaveReview();
                        }
                    }
                }
            }
        }

        private void leaveReview() {
            inReview = false;
            reviewSince = null;
            voided.addAll(period);
            period.clear();
        }

        private void onComment(Comment c) {
            if (c.system() || c.author().id() == s.botUserId()) {
                return;
            }
            Optional<String> verified = SignoffCommand.parse(c.body());
            if (verified.isEmpty()) {
                return;
            }
            Reason reason = eligibility(c.author());
            if (closed || !inReview || labelRemovedByClose) {
                reason = new Reason(ReasonCode.SIGNOFF_OUTSIDE_REVIEW, "the ticket was not in the **" + s.reviewLabel()
                        + "** column" + (closed ? " (it was closed)" : "")
                        + " when you wrote it. Sign-offs count only while the ticket waits in that column.");
            }
            boolean accepted = reason.code() == ReasonCode.SIGNOFF_ACCEPTED;
            SignoffCheck check = new SignoffCheck(c.id(), c.author(), c.at(), verified.get(), accepted, reason, false);
            checks.add(check);
            if (accepted) {
                period.add(check);
                validSoFarByNote.put(c.id(), distinctSigners(period));
            }
        }

        private Reason eligibility(UserRef signer) {
            Optional<Implementers.Role> role = implementers.roleOf(signer.id());
            if (role.isPresent()) {
                return new Reason(ReasonCode.SIGNER_IS_IMPLEMENTER, "you are an implementer of this ticket ("
                        + Wording.roles(role.get().roles()) + "). A sign-off must come from someone who did not do the work.");
            }
            Integer level = h.accessLevels().get(signer.id());
            if (level == null) {
                return new Reason(ReasonCode.SIGNER_NOT_MEMBER, "you are not a member of this project. Sign-offs must come from project members with at least "
                        + AccessLevels.name(s.minAccessLevel()) + " access.");
            }
            if (level < s.minAccessLevel()) {
                return new Reason(ReasonCode.SIGNER_ACCESS_TOO_LOW, "your access level is " + AccessLevels.name(level)
                        + "; signing off needs at least " + AccessLevels.name(s.minAccessLevel()) + ".");
            }
            return new Reason(ReasonCode.SIGNOFF_ACCEPTED, signer.mention() + " is an eligible reviewer ("
                    + AccessLevels.name(level) + ", not an implementer).");
        }

        Decision decide(Instant watchedSince) {
            List<Reason> reasons = new ArrayList<>();
            List<Action> actions = new ArrayList<>();
            Optional<StateChange> lastClose = h.closed()
                    ? states.stream().filter(c -> c.kind() == StateChange.Kind.CLOSED)
                            .max(Comparator.comparing(StateChange::at).thenComparingLong(StateChange::id))
                    : Optional.empty();

            Verdict verdict;
            Set<Long> counting = new HashSet<>();
            Optional<Instant> since = Optional.empty();
            int valid;
            if (h.closed()) {
                if (lastClose.isEmpty() || lastClose.get().at().isBefore(watchedSince)) {
                    reasons.add(new Reason(ReasonCode.CLOSED_BEFORE_WATCH, "Closed before Countersign watched this project ("
                            + Wording.time(watchedSince) + "): left alone."));
                    return new Decision(h.projectId(), h.iid(), Verdict.GRANDFATHERED, reasons, finalChecks(counting),
                            List.of(), Optional.empty(), lastClose.map(ReviewPolicy::closeRef), lastClose.map(StateChange::user),
                            0, s.requiredSignoffs());
                }
                StateChange close = lastClose.get();
                CloseSnapshot at = closes.get(close.id());
                at.signoffs().forEach(c -> counting.add(c.noteId()));
                valid = distinctSigners(at.signoffs());
                since = Optional.ofNullable(at.reviewSince());
                if (close.user().id() == s.botUserId()) {
                    verdict = Verdict.CLOSE_ACCEPTED;
                    reasons.add(new Reason(ReasonCode.CLOSED_BY_COUNTERSIGN, "Closed by Countersign itself."));
                } else {
                    List<Reason> missing = missingAtClose(at, valid);
                    if (missing.isEmpty()) {
                        verdict = Verdict.CLOSE_ACCEPTED;
                        reasons.add(new Reason(ReasonCode.SIGNOFFS_COMPLETE, "Closed by " + close.user().mention() + " from **"
                                + s.reviewLabel() + "** with " + valid + " of " + s.requiredSignoffs() + " required sign-offs."));
                    } else {
                        verdict = Verdict.CLOSE_REJECTED;
                        reasons.addAll(missing);
                        String ref = closeRef(close);
                        List<String> removed = labelsRemovedBy(close);
                        actions.add(new Action.Reopen(ref));
                        if (!removed.isEmpty()) {
                            actions.add(new Action.RestoreLabels(ref, removed));
                        }
                        String key = "close-rejected:" + ref;
                        actions.add(new Action.PostNote(key,
                                Wording.closeRejected(close.user(), missing, !removed.isEmpty(), s) + "\n\n" + Wording.marker(key)));
                    }
                }
            } else {
                period.forEach(c -> counting.add(c.noteId()));
                valid = distinctSigners(period);
                if (inReview) {
                    since = Optional.of(reviewSince);
                    verdict = valid >= s.requiredSignoffs() ? Verdict.READY_TO_CLOSE : Verdict.AWAITING_SIGNOFF;
                    reasons.add(new Reason(valid >= s.requiredSignoffs() ? ReasonCode.SIGNOFFS_COMPLETE : ReasonCode.IN_REVIEW,
                            "In **" + s.reviewLabel() + "** since " + Wording.time(reviewSince) + " with " + valid + " of "
                                    + s.requiredSignoffs() + " required sign-offs."));
                } else {
                    verdict = Verdict.IN_PROGRESS;
                    reasons.add(new Reason(ReasonCode.NOT_IN_REVIEW, "Not in **" + s.reviewLabel() + "**: work in progress."));
                }
            }
            List<SignoffCheck> finalChecks = finalChecks(counting);
            for (SignoffCheck c : finalChecks) {
                if (c.at().isBefore(watchedSince)) {
                    continue;
                }
                String key = "signoff-reply:" + c.noteId();
                String body = c.accepted()
                        ? Wording.signoffAccepted(c, validSoFarByNote.getOrDefault(c.noteId(), 1), s.requiredSignoffs(), s.reviewLabel())
                        : Wording.signoffRefused(c);
                actions.add(new Action.PostNote(key, body + "\n\n" + Wording.marker(key)));
            }
            return new Decision(h.projectId(), h.iid(), verdict, reasons, finalChecks, actions, since,
                    lastClose.map(ReviewPolicy::closeRef), lastClose.map(StateChange::user), valid, s.requiredSignoffs());
        }

        private List<Reason> missingAtClose(CloseSnapshot at, int valid) {
            List<Reason> missing = new ArrayList<>();
            if (!at.inReview()) {
                missing.add(new Reason(ReasonCode.NOT_IN_REVIEW_AT_CLOSE,
                        "It was not in the **" + s.reviewLabel() + "** column when it was closed."));
            }
            if (valid < s.requiredSignoffs()) {
                StringBuilder m = new StringBuilder("It had ").append(valid).append(" of the ")
                        .append(Wording.plural(s.requiredSignoffs(), "required sign-off", "required sign-offs"))
                        .append(" from an eligible reviewer");
                if (at.inReview() && at.reviewSince() != null) {
                    m.append(" since it entered **").append(s.reviewLabel()).append("** (")
                            .append(Wording.time(at.reviewSince())).append(")");
                }
                m.append('.');
                if (!implementers.all().isEmpty()) {
                    m.append(" Not eligible, having worked on it: ").append(Wording.implementerList(implementers.all())).append('.');
                }
                missing.add(new Reason(ReasonCode.MISSING_SIGNOFFS, m.toString()));
                if (!at.voidedBefore().isEmpty()) {
                    missing.add(new Reason(ReasonCode.SIGNOFFS_VOIDED, Wording.plural(at.voidedBefore().size(),
                            "earlier sign-off no longer counts", "earlier sign-offs no longer count")
                            + ": the ticket left **" + s.reviewLabel() + "** after it was given."));
                }
            }
            return missing;
        }

        private List<String> labelsRemovedBy(StateChange close) {
            Set<String> removed = new LinkedHashSet<>();
            removedAtClose.getOrDefault(close.id(), List.of()).forEach(l -> removed.add(l.label()));
            return List.copyOf(removed);
        }

        private List<SignoffCheck> finalChecks(Set<Long> counting) {
            List<SignoffCheck> result = new ArrayList<>(checks.size());
            for (SignoffCheck c : checks) {
                result.add(new SignoffCheck(c.noteId(), c.signer(), c.at(), c.verified(), c.accepted(), c.reason(),
                        counting.contains(c.noteId())));
            }
            return result;
        }
    }

    private static final Comparator<LabelChange> EVENT_ORDER =
            Comparator.comparing(LabelChange::at).thenComparingLong(LabelChange::id);

    private static int distinctSigners(List<SignoffCheck> signoffs) {
        return (int) signoffs.stream().map(c -> c.signer().id()).distinct().count();
    }

    private static boolean within(Instant a, Instant b, Duration window) {
        return Duration.between(a, b).abs().compareTo(window) <= 0;
    }

    private static long syntheticCloseId(Instant closedAt) {
        return -closedAt.toEpochMilli();
    }

    /** Stable reference of a close: its state event id, or {@code at-<epoch ms>} when GitLab kept no event. */
    public static String closeRef(StateChange close) {
        return close.id() < 0 ? "at-" + (-close.id()) : Long.toString(close.id());
    }
}
