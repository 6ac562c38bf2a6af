package org.countersign.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The four-eyes rule as a pure function of a ticket's GitLab history.
 *
 * <p>The history is replayed in time order. The ticket is "in review" from the moment the review
 * label is added until it is removed; removing it voids the sign-offs given so far. The label removals
 * made by the closer in the same update as a close (dragging the card to the board's Closed list) are
 * part of that close, so the ticket still counts as closed from the review column; if Countersign then
 * reopens it and puts the labels back, the review goes on with its sign-offs.
 *
 * <p>A close is valid when the ticket was in review at that moment and held at least
 * {@link PolicySettings#requiredSignoffs()} sign-offs from distinct eligible reviewers given during
 * that review. Only the latest close is judged; closes before {@code watchedSince} are left alone, and
 * a close once accepted stays accepted whatever changed since ({@code acceptedCloses}).
 *
 * <p>Never throws for a business outcome and never calls anything: same input, same decision.
 */
public final class ReviewPolicy {

    private ReviewPolicy() {
    }

    /** As {@link #decide(TicketHistory, PolicySettings, Instant, Set)} with no close accepted before. */
    public static Decision decide(TicketHistory h, PolicySettings s, Instant watchedSince) {
        return decide(h, s, watchedSince, Set.of());
    }

    /**
     * As {@link #decide(TicketHistory, PolicySettings, Instant, Set, Instant)} at a moment before any
     * emergency review deadline has passed.
     */
    public static Decision decide(TicketHistory h, PolicySettings s, Instant watchedSince, Set<String> acceptedCloses) {
        return decide(h, s, watchedSince, acceptedCloses, Instant.MIN);
    }

    /**
     * @param watchedSince   when Countersign started watching the project: earlier closes are left alone
     * @param acceptedCloses refs ({@link #closeRef}) of this ticket's closes already accepted and recorded
     * @param now            the moment of the decision: an emergency close whose retroactive review is due
     *                       at or before it, and did not come, is rejected
     */
    public static Decision decide(TicketHistory h, PolicySettings s, Instant watchedSince, Set<String> acceptedCloses,
                                  Instant now) {
        if (!s.governedTypes().contains(h.type())) {
            return Decision.plain(h, Verdict.NOT_GOVERNED, new Reason.TypeNotGoverned(h.type(), s.governedTypes()),
                    s.requiredSignoffs());
        }
        if (s.scopeLabel().isPresent() && !everCarried(h, s.scopeLabel().get())) {
            return Decision.plain(h, Verdict.NOT_GOVERNED, new Reason.OutOfScope(s.scopeLabel().get()), s.requiredSignoffs());
        }
        if (h.closed() && h.movedToId().isPresent()) {
            return Decision.plain(h, Verdict.NOT_GOVERNED, new Reason.Moved(h.movedToId().get()), s.requiredSignoffs());
        }
        Replay replay = new Replay(h, s);
        replay.run();
        Judgement j = replay.judge(watchedSince, acceptedCloses, now);
        return new Decision(h.projectId(), h.iid(), j.verdict(), j.reasons(), j.signoffs(), Actions.choose(j, s),
                j.reviewSince(), j.close().map(ReviewPolicy::closeRef), j.close().flatMap(StateChange::by),
                j.validSignoffs(), j.requiredSignoffs(), Implementers.of(h, s).all(),
                j.reviewSince().flatMap(since -> reviewStartedBy(h, s.reviewLabel(), since)));
    }

    /** Who added the review label at {@code since}, the start of the current review. */
    private static Optional<UserRef> reviewStartedBy(TicketHistory h, String reviewLabel, Instant since) {
        return h.labelChanges().stream()
                .filter(c -> c.added() && c.label().equals(reviewLabel) && c.at().equals(since))
                .reduce((a, b) -> b)
                .flatMap(LabelChange::by);
    }

    private static boolean everCarried(TicketHistory h, String label) {
        return h.labels().contains(label)
                || h.labelChanges().stream().anyMatch(c -> c.label().equals(label));
    }

    /** One pass over the history; holds the column state while replaying. */
    private static final class Replay implements HistoryEvent.Visitor<Void> {
        private final TicketHistory h;
        private final PolicySettings s;
        private final Implementers implementers;
        private final List<StateChange> states;
        private final Map<Long, List<LabelChange>> removedAtClose = new HashMap<>();
        private final Set<Long> removalsPartOfClose = new HashSet<>();

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
                                     List<SignoffCheck> voidedBefore, EmergencyRequest emergency) {
        }

        /** The accepted {@code /emergency} since the ticket was last opened, if any: the next close stands. */
        private EmergencyRequest pendingEmergency;
        /** Whether the ticket is closed by a close made under the emergency path. */
        private boolean emergencyClosed;
        private final List<EmergencyRequest> emergencyRequests = new ArrayList<>();
        private final List<SignoffCheck> retroReviews = new ArrayList<>();
        private final Set<Long> retroNoteIds = new HashSet<>();

        Replay(TicketHistory h, PolicySettings s) {
            this.h = h;
            this.s = s;
            this.implementers = Implementers.of(h, s);
            this.states = new ArrayList<>(h.stateChanges());
            if (h.closed() && states.stream().noneMatch(c -> c.kind() == StateChange.Kind.CLOSED) && h.closedAt().isPresent()) {
                // Closed, but GitLab kept no state event for it: judge the close the issue reports.
                states.add(new StateChange(syntheticCloseId(h.closedAt().get()), h.closedAt().get(), h.closedBy(),
                        StateChange.Kind.CLOSED));
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
         * The label removals that belong to {@code close}: GitLab records a close and the list labels it
         * removes in one update, with one timestamp. Among the closer's removals within the close window,
         * only those of the update nearest to the close count (a quick drag Doing → To validate → Closed
         * within a second removes Doing in the first update, To validate in the second: only the second is
         * the close's), and only if the label was not added again since by someone other than Countersign
         * (whose reopen puts back, within the window, what a rejected close removed: the review goes on).
         */
        private List<LabelChange> removedByClose(StateChange close) {
            Optional<Instant> nearest = Optional.empty();
            for (LabelChange l : h.labelChanges()) {
                if (isRemovalByCloser(l, close)) {
                    Duration d = Duration.between(l.at(), close.at()).abs();
                    if (nearest.isEmpty() || d.compareTo(Duration.between(nearest.get(), close.at()).abs()) < 0
                            || d.equals(Duration.between(nearest.get(), close.at()).abs()) && l.at().isAfter(nearest.get())) {
                        nearest = Optional.of(l.at());
                    }
                }
            }
            if (nearest.isEmpty()) {
                return List.of();
            }
            Map<String, LabelChange> group = new LinkedHashMap<>();
            for (LabelChange l : h.labelChanges()) {
                if (isRemovalByCloser(l, close) && l.at().equals(nearest.get())) {
                    group.merge(l.label(), l, (a, b) -> EVENT_ORDER.compare(a, b) >= 0 ? a : b);
                }
            }
            List<LabelChange> result = new ArrayList<>();
            for (LabelChange removal : group.values()) {
                // added again by a person (a quick drag back); Countersign putting back what it undid is not that
                boolean addedAgain = h.labelChanges().stream().anyMatch(a -> a.added() && a.label().equals(removal.label())
                        && !a.isBy(s.botUserId())
                        && EVENT_ORDER.compare(a, removal) > 0 && !a.at().isAfter(close.at().plus(s.closeWindow())));
                if (!addedAgain) {
                    result.add(removal);
                }
            }
            return result;
        }

        private boolean isRemovalByCloser(LabelChange l, StateChange close) {
            return !l.added() && close.by().isPresent() && l.isBy(close.by().get().id())
                    && within(l.at(), close.at(), s.closeWindow());
        }

        void run() {
            List<HistoryEvent> events = new ArrayList<>(h.labelChanges().size() + states.size() + h.comments().size());
            events.addAll(h.labelChanges());
            events.addAll(states);
            events.addAll(h.comments());
            events.sort(Comparator.comparing(HistoryEvent::at).thenComparingInt(ReviewPolicy::replayOrder)
                    .thenComparingLong(HistoryEvent::id));
            events.forEach(e -> e.accept(this));
        }

        @Override
        public Void label(LabelChange c) {
            if (!c.label().equals(s.reviewLabel())) {
                return null;
            }
            if (c.added()) {
                if (labelRemovedByClose && c.isBy(s.botUserId())) {
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
            return null;
        }

        @Override
        public Void state(StateChange c) {
            switch (c.kind()) {
                case CLOSED -> {
                    closed = true;
                    closes.put(c.id(), new CloseSnapshot(inReview, reviewSince, List.copyOf(period), List.copyOf(voided),
                            pendingEmergency));
                    emergencyClosed = pendingEmergency != null;
                    pendingEmergency = null;
                    retroReviews.clear();
                }
                case REOPENED, OPENED -> {
                    closed = false;
                    emergencyClosed = false;
                    pendingEmergency = null;
                    if (labelRemovedByClose && !c.isBy(s.botUserId())) {
                        // Reopened by a person after a drag to Closed: the card is no longer in the column.
                        labelRemovedByClose = false;
                        if (inReview) {
                            leaveReview();
                        }
                    }
                }
            }
            return null;
        }

        private void leaveReview() {
            inReview = false;
            reviewSince = null;
            voided.addAll(period);
            period.clear();
        }

        @Override
        public Void comment(Comment c) {
            if (c.system() || c.by().isEmpty()) {
                return null; // system notes are GitLab's; a note nobody wrote credits nobody
            }
            Optional<String> verified = SignoffCommand.parse(c.body());
            if (verified.isEmpty()) {
                EmergencyCommand.parse(c.body()).ifPresent(reason -> emergency(c, reason));
                return null;
            }
            UserRef signer = c.by().get();
            Reason reason;
            boolean retro = false;
            if (closed && emergencyClosed) {
                // a retroactive review of an emergency close: judged as a sign-off in the review column
                reason = c.edited() ? new Reason.SignoffEdited(c.editedAt().get()) : eligibility(signer);
                retro = true;
            } else if (closed || !inReview || labelRemovedByClose) {
                reason = new Reason.SignoffOutsideReview(s.reviewLabel(), closed);
            } else if (c.edited()) {
                reason = new Reason.SignoffEdited(c.editedAt().get());
            } else {
                reason = eligibility(signer);
            }
            Optional<Integer> level = Optional.ofNullable(h.signers().get(signer.id())).flatMap(SignerFacts::accessLevel);
            SignoffCheck check = new SignoffCheck(c.id(), signer, c.at(), verified.get(), level, reason, false, c.internal());
            checks.add(check);
            if (retro) {
                if (check.accepted()) {
                    retroReviews.add(check);
                    retroNoteIds.add(c.id());
                }
            } else if (check.accepted()) {
                period.add(check);
                validSoFarByNote.put(c.id(), distinctSigners(period));
            }
            return null;
        }

        /** Judges an {@code /emergency} comment; an accepted one lets the next close stand. */
        private void emergency(Comment c, String reason) {
            UserRef by = c.by().get();
            if (by.id() == s.botUserId()) {
                return;
            }
            SignerFacts facts = h.signers().get(by.id());
            Optional<Integer> level = facts == null ? Optional.empty() : facts.accessLevel();
            Reason verdict;
            if (!s.emergencyEnabled()) {
                verdict = new Reason.EmergencyDisabled();
            } else if (closed) {
                verdict = new Reason.EmergencyOnClosedTicket();
            } else if (reason.isBlank()) {
                verdict = new Reason.EmergencyWithoutReason();
            } else if (facts == null || facts.account() != SignerFacts.Account.PERSON || !facts.active()
                    || level.isEmpty() || level.get() < AccessLevels.DEVELOPER) {
                verdict = new Reason.EmergencyNotAllowed(level);
            } else {
                verdict = new Reason.EmergencyAccepted(reason);
            }
            EmergencyRequest request = new EmergencyRequest(c.id(), by, c.at(), reason, verdict, c.internal());
            emergencyRequests.add(request);
            if (request.accepted()) {
                pendingEmergency = request;
            }
        }

        private Reason eligibility(UserRef signer) {
            return ReviewPolicy.eligibility(signer.id(), h.signers().get(signer.id()), implementers, s);
        }

        /** The verdict and its reasons; {@link Actions} then chooses what to do about them. */
        Judgement judge(Instant watchedSince, Set<String> acceptedCloses, Instant now) {
            Optional<StateChange> lastClose = h.closed()
                    ? states.stream().filter(c -> c.kind() == StateChange.Kind.CLOSED)
                            .max(Comparator.comparing(StateChange::at).thenComparingLong(StateChange::id))
                    : Optional.empty();
            if (h.closed() && (lastClose.isEmpty() || lastClose.get().at().isBefore(watchedSince))) {
                return new Judgement(h, Verdict.GRANDFATHERED, List.of(new Reason.ClosedBeforeWatch(watchedSince)),
                        finalChecks(Set.of()), Optional.empty(), lastClose, 0, s.requiredSignoffs(), List.of(), Map.of(),
                        false, watchedSince, emergencyRequests, retroNoteIds);
            }
            if (h.closed()) {
                StateChange close = lastClose.get();
                String ref = closeRef(close);
                CloseSnapshot at = closes.get(close.id());
                Set<Long> counting = new HashSet<>();
                at.signoffs().forEach(c -> counting.add(c.noteId()));
                int valid = distinctSigners(at.signoffs());
                List<Reason> missing = missingAtClose(at, valid);
                Verdict verdict;
                List<Reason> reasons;
                boolean acceptedEarlier = acceptedCloses.contains(ref);
                if (missing.isEmpty()) {
                    verdict = Verdict.CLOSE_ACCEPTED;
                    reasons = List.of(new Reason.ClosedAfterReview(close.by(), s.reviewLabel(), valid, s.requiredSignoffs()));
                } else if (acceptedEarlier) {
                    // the history as it reads now would reject it, but it was accepted on the facts of its time
                    verdict = Verdict.CLOSE_ACCEPTED;
                    reasons = List.of(new Reason.AcceptedEarlier(ref));
                } else if (at.emergency() != null) {
                    EmergencyRequest e = at.emergency();
                    Instant due = close.at().plus(s.emergencyDeadline());
                    List<UserRef> reviewers = new ArrayList<>();
                    retroReviews.forEach(r -> {
                        if (reviewers.stream().noneMatch(u -> u.id() == r.signer().id())) {
                            reviewers.add(r.signer());
                        }
                    });
                    if (reviewers.size() >= s.requiredSignoffs()) {
                        verdict = Verdict.CLOSE_ACCEPTED;
                        reasons = List.of(new Reason.EmergencyReviewed(close.by(), e.by(), reviewers));
                    } else if (now.isBefore(due)) {
                        verdict = Verdict.REVIEW_OWED;
                        reasons = List.of(new Reason.EmergencyClose(close.by(), e.by(), e.reason(), due, s.emergencyLabel()));
                    } else {
                        verdict = Verdict.CLOSE_REJECTED;
                        reasons = List.of(new Reason.EmergencyReviewOverdue(e.by(), due, s.reviewLabel()));
                    }
                } else {
                    verdict = Verdict.CLOSE_REJECTED;
                    reasons = missing;
                }
                return new Judgement(h, verdict, reasons, finalChecks(counting), Optional.ofNullable(at.reviewSince()),
                        lastClose, valid, s.requiredSignoffs(), labelsRemovedBy(close), validSoFarByNote, acceptedEarlier,
                        watchedSince, emergencyRequests, retroNoteIds);
            }
            Set<Long> counting = new HashSet<>();
            period.forEach(c -> counting.add(c.noteId()));
            int valid = distinctSigners(period);
            if (inReview) {
                return new Judgement(h, valid >= s.requiredSignoffs() ? Verdict.READY_TO_CLOSE : Verdict.AWAITING_SIGNOFF,
                        List.of(new Reason.InReview(s.reviewLabel(), reviewSince, valid, s.requiredSignoffs())),
                        finalChecks(counting), Optional.of(reviewSince), Optional.empty(), valid, s.requiredSignoffs(),
                        List.of(), validSoFarByNote, false, watchedSince, emergencyRequests, retroNoteIds);
            }
            return new Judgement(h, Verdict.IN_PROGRESS, List.of(new Reason.WorkInProgress(s.reviewLabel())),
                    finalChecks(counting), Optional.empty(), Optional.empty(), valid, s.requiredSignoffs(), List.of(),
                    validSoFarByNote, false, watchedSince, emergencyRequests, retroNoteIds);
        }

        private List<Reason> missingAtClose(CloseSnapshot at, int valid) {
            List<Reason> missing = new ArrayList<>();
            if (!at.inReview()) {
                missing.add(new Reason.NotInReviewAtClose(s.reviewLabel()));
            }
            if (valid < s.requiredSignoffs()) {
                missing.add(new Reason.MissingSignoffs(valid, s.requiredSignoffs(), s.reviewLabel(),
                        at.inReview() ? Optional.ofNullable(at.reviewSince()) : Optional.empty(), implementers.all()));
                if (!at.voidedBefore().isEmpty()) {
                    missing.add(new Reason.SignoffsVoided(at.voidedBefore().size(), s.reviewLabel()));
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
            return checks.stream().map(c -> c.counting(counting.contains(c.noteId()))).toList();
        }
    }

    /**
     * Whether user {@code userId} may sign off, given what GitLab says about them ({@code facts}, null when
     * unknown: judged a non-member) and the ticket's implementers. The one rule used for sign-offs and for
     * naming the reviewers a reminder asks.
     */
    static Reason eligibility(long userId, SignerFacts facts, Implementers implementers, PolicySettings s) {
        if (userId == s.botUserId()) {
            return new Reason.SignerIsCountersign();
        }
        if (facts != null && facts.account() != SignerFacts.Account.PERSON) {
            return new Reason.SignerNotAPerson(facts.account());
        }
        Optional<Implementer> implementer = implementers.of(userId);
        if (implementer.isPresent()) {
            return new Reason.SignerIsImplementer(implementer.get().roles());
        }
        if (facts == null || facts.accessLevel().isEmpty()) {
            return new Reason.SignerNotMember(s.minAccessLevel());
        }
        if (!facts.active()) {
            return new Reason.SignerInactive();
        }
        int level = facts.accessLevel().get();
        if (level < s.minAccessLevel()) {
            return new Reason.SignerAccessTooLow(level, s.minAccessLevel());
        }
        return new Reason.SignoffAccepted(level);
    }

    /** At one instant: additions, then removals (GitLab's order within an update), then state, then notes. */
    private static int replayOrder(HistoryEvent e) {
        return e.accept(new HistoryEvent.Visitor<Integer>() {
            @Override
            public Integer label(LabelChange c) {
                return c.added() ? 0 : 1;
            }

            @Override
            public Integer state(StateChange c) {
                return 2;
            }

            @Override
            public Integer comment(Comment c) {
                return 3;
            }
        });
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
