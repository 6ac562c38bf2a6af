package org.countersign.policy;

import static org.countersign.policy.HistoryBuilder.ALICE;
import static org.countersign.policy.HistoryBuilder.BOB;
import static org.countersign.policy.HistoryBuilder.BOT;
import static org.countersign.policy.HistoryBuilder.CAROL;
import static org.countersign.policy.HistoryBuilder.DAVE;
import static org.countersign.policy.HistoryBuilder.DOING;
import static org.countersign.policy.HistoryBuilder.OSCAR;
import static org.countersign.policy.HistoryBuilder.REVIEW;
import static org.countersign.policy.HistoryBuilder.RITA;
import static org.countersign.policy.HistoryBuilder.at;
import static org.countersign.policy.HistoryBuilder.settings;
import static org.countersign.policy.HistoryBuilder.ticket;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rule as a table: history in, verdict + reasons + actions out. */
class ReviewPolicyTest {

    private static final Instant WATCHED = at(-60);

    /** Actions abbreviated: R = reopen, L = restore labels, N = close note, S = sign-off reply. */
    record Case(String name, HistoryBuilder history, PolicySettings settings, Verdict verdict, Set<ReasonCode> reasons,
                String actions) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> closes() {
        return Stream.of(
                new Case("close from review with an eligible sign-off is accepted",
                        ticket().toReview(1, BOB).signoff(2, CAROL).close(3, BOB), settings(),
                        Verdict.CLOSE_ACCEPTED, Set.of(ReasonCode.SIGNOFFS_COMPLETE), "S"),
                new Case("drag to Closed from review with a sign-off is accepted (label removal is part of the close)",
                        ticket().toReview(1, BOB).signoff(2, CAROL).dragToClosed(3, BOB), settings(),
                        Verdict.CLOSE_ACCEPTED, Set.of(ReasonCode.SIGNOFFS_COMPLETE), "S"),
                new Case("close without ever entering review is rejected",
                        ticket().addLabel(1, BOB, DOING).close(3, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.NOT_IN_REVIEW_AT_CLOSE, ReasonCode.MISSING_SIGNOFFS), "RN"),
                new Case("drag to Closed from Doing is rejected and Doing restored",
                        ticket().addLabel(1, BOB, DOING).dragToClosed(3, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.NOT_IN_REVIEW_AT_CLOSE, ReasonCode.MISSING_SIGNOFFS), "RLN"),
                new Case("drag to Closed from review without sign-off is rejected and the review label restored",
                        ticket().toReview(1, BOB).dragToClosed(3, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RLN"),
                new Case("sign-off from the assignee does not count",
                        ticket().toReview(1, BOB).signoff(2, BOB).close(3, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RNS"),
                new Case("sign-off from the author does not count by default",
                        ticket().toReview(1, BOB).signoff(2, ALICE).close(3, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RNS"),
                new Case("sign-off from the author counts when authors are not implementers",
                        ticket().toReview(1, BOB).signoff(2, ALICE).close(3, BOB), settings(1, false),
                        Verdict.CLOSE_ACCEPTED, Set.of(ReasonCode.SIGNOFFS_COMPLETE), "S"),
                new Case("sign-off from whoever moved it to review does not count",
                        ticket().toReview(1, DAVE).signoff(2, DAVE).close(3, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RNS"),
                new Case("sign-off from a Reporter does not count",
                        ticket().toReview(1, BOB).signoff(2, RITA).close(3, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RNS"),
                new Case("sign-off from a non-member does not count",
                        ticket().toReview(1, BOB).signoff(2, OSCAR).close(3, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RNS"),
                new Case("sign-off before the ticket entered review does not count",
                        ticket().signoff(1, CAROL).toReview(2, BOB).close(3, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RNS"),
                new Case("leaving review voids the sign-offs given before",
                        ticket().toReview(1, BOB).signoff(2, CAROL).move(3, BOB, REVIEW, DOING).move(4, BOB, DOING, REVIEW)
                                .close(5, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS, ReasonCode.SIGNOFFS_VOIDED), "RNS"),
                new Case("a new sign-off after returning to review counts",
                        ticket().toReview(1, BOB).signoff(2, CAROL).move(3, BOB, REVIEW, DOING).move(4, BOB, DOING, REVIEW)
                                .signoff(5, DAVE).close(6, BOB), settings(),
                        Verdict.CLOSE_ACCEPTED, Set.of(ReasonCode.SIGNOFFS_COMPLETE), "SS"),
                new Case("removing the review label just before closing is not a close from review",
                        ticket().toReview(1, BOB).signoff(2, CAROL).removeLabel(3, BOB, REVIEW).close(5, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.NOT_IN_REVIEW_AT_CLOSE, ReasonCode.MISSING_SIGNOFFS,
                                ReasonCode.SIGNOFFS_VOIDED), "RNS"),
                new Case("quick moves out of review and back just before a drag to Closed still void the sign-off",
                        ticket().toReview(1, BOB).signoff(2, CAROL).moveAt(HistoryBuilder.at(3), BOB, REVIEW, DOING)
                                .moveAt(HistoryBuilder.at(3).plusMillis(3), BOB, DOING, REVIEW)
                                .dragToClosedAt(HistoryBuilder.at(3).plusMillis(6), BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS, ReasonCode.SIGNOFFS_VOIDED), "RLNS"),
                new Case("two required: one sign-off is not enough",
                        ticket().toReview(1, BOB).signoff(2, CAROL).close(3, BOB), settings(2, true),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RNS"),
                new Case("two required: the same reviewer twice is not enough",
                        ticket().toReview(1, BOB).signoff(2, CAROL).signoff(3, CAROL).close(4, BOB), settings(2, true),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RNSS"),
                new Case("two required: two distinct reviewers are enough",
                        ticket().toReview(1, BOB).signoff(2, CAROL).signoff(3, DAVE).close(4, BOB), settings(2, true),
                        Verdict.CLOSE_ACCEPTED, Set.of(ReasonCode.SIGNOFFS_COMPLETE), "SS"),
                new Case("review continues after Countersign reopened a rejected drag and restored the label",
                        ticket().toReview(1, BOB).dragToClosed(2, BOB).reopen(3, BOT).addLabel(3, BOT, REVIEW)
                                .signoff(4, CAROL).dragToClosed(5, BOB), settings(),
                        Verdict.CLOSE_ACCEPTED, Set.of(ReasonCode.SIGNOFFS_COMPLETE), "S"),
                new Case("a person reopening a dragged ticket takes it out of review",
                        ticket().toReview(1, BOB).signoff(2, CAROL).dragToClosed(3, BOB).reopen(4, BOB).close(5, BOB),
                        settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.NOT_IN_REVIEW_AT_CLOSE, ReasonCode.MISSING_SIGNOFFS,
                                ReasonCode.SIGNOFFS_VOIDED), "RNS"),
                new Case("sign-off written while the ticket is closed does not count",
                        ticket().toReview(1, BOB).close(2, BOB).signoff(3, CAROL), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RNS"),
                new Case("only the latest close is judged",
                        ticket().close(1, BOB).reopen(2, BOT).toReview(3, BOB).signoff(4, CAROL).close(5, BOB), settings(),
                        Verdict.CLOSE_ACCEPTED, Set.of(ReasonCode.SIGNOFFS_COMPLETE), "S"),
                new Case("Countersign's own comments and system notes never count",
                        ticket().toReview(1, BOB).comment(2, BOT, "/signoff by the bot").systemNote(2, CAROL, "/signoff")
                                .close(3, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RN"),
                new Case("closed before Countersign watched the project is left alone",
                        ticket().close(-120, BOB), settings(),
                        Verdict.GRANDFATHERED, Set.of(ReasonCode.CLOSED_BEFORE_WATCH), ""),
                new Case("closed with no state event after the watch started is judged from the issue",
                        ticket().closedWithoutEvent(3), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.NOT_IN_REVIEW_AT_CLOSE, ReasonCode.MISSING_SIGNOFFS), "RN"),
                new Case("open in progress",
                        ticket().addLabel(1, BOB, DOING), settings(),
                        Verdict.IN_PROGRESS, Set.of(ReasonCode.NOT_IN_REVIEW), ""),
                new Case("open in review, waiting",
                        ticket().toReview(1, BOB).signoff(2, BOB), settings(),
                        Verdict.AWAITING_SIGNOFF, Set.of(ReasonCode.IN_REVIEW), "S"),
                new Case("open in review with enough sign-offs",
                        ticket().toReview(1, BOB).signoff(2, CAROL), settings(),
                        Verdict.READY_TO_CLOSE, Set.of(ReasonCode.SIGNOFFS_COMPLETE), "S")
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("closes")
    void decides(Case c) {
        Decision d = ReviewPolicy.decide(c.history().build(), c.settings(), WATCHED);
        assertEquals(c.verdict(), d.verdict(), d.summary());
        Set<ReasonCode> codes = d.reasons().stream().map(Reason::code).collect(Collectors.toSet());
        assertEquals(c.reasons(), codes, d.summary());
        assertEquals(c.actions(), abbreviate(d.actions()), d.actions().toString());
        assertEquals(d.fingerprint(), ReviewPolicy.decide(c.history().build(), c.settings(), WATCHED).fingerprint(),
                "deciding twice on the same history decides the same");
    }

    private static String abbreviate(List<Action> actions) {
        return actions.stream().map(a -> {
            if (a instanceof Action.Reopen) {
                return "R";
            } else if (a instanceof Action.RestoreLabels) {
                return "L";
            } else if (a instanceof Action.PostNote n) {
                return n.key().startsWith("close-rejected:") ? "N" : "S";
            }
            throw new AssertionError(a);
        }).collect(Collectors.joining());
    }

    @Test
    void rejectionNoteMentionsTheCloserAndSaysWhatIsMissing() {
        HistoryBuilder h = ticket().toReview(1, BOB).signoff(2, BOB).dragToClosed(3, BOB);
        Decision d = ReviewPolicy.decide(h.build(), settings(), WATCHED);
        Action.PostNote note = d.actions().stream().filter(a -> a instanceof Action.PostNote p && p.key().startsWith("close-rejected"))
                .map(Action.PostNote.class::cast).findFirst().orElseThrow();
        assertTrue(note.body().startsWith("@bob "), note.body());
        assertTrue(note.body().contains("0 of the 1 required sign-off"), note.body());
        assertTrue(note.body().contains("@bob (assignee, moved it to To validate)"), note.body());
        assertTrue(note.body().contains("@alice (author)"), note.body());
        assertTrue(note.body().contains(Wording.marker(note.key())), note.body());
        Action.RestoreLabels restore = d.actions().stream().filter(a -> a instanceof Action.RestoreLabels)
                .map(Action.RestoreLabels.class::cast).findFirst().orElseThrow();
        assertEquals(List.of(REVIEW), restore.labels());
        assertEquals(Optional.of(BOB), d.closedBy());
    }

    @Test
    void confirmationSaysWhoWhenAndWhatWasVerified() {
        HistoryBuilder h = ticket().toReview(1, BOB).comment(2, CAROL, "/signoff restore of 24 Nov tested, 41 GB");
        Decision d = ReviewPolicy.decide(h.build(), settings(), WATCHED);
        Action.PostNote note = (Action.PostNote) d.actions().get(0);
        assertEquals("signoff-reply:" + h.lastId(), note.key());
        assertTrue(note.body().contains("Sign-off by @carol recorded (2026-11-20 09:02 UTC)"), note.body());
        assertTrue(note.body().contains("restore of 24 Nov tested, 41 GB"), note.body());
        assertTrue(note.body().contains("1 of 1 required — this ticket may now be closed."), note.body());
        SignoffCheck check = d.signoffs().get(0);
        assertTrue(check.accepted() && check.counts());
        assertEquals(Optional.of(at(1)), d.reviewSince());
    }

    @Test
    void refusalsNameTheReason() {
        record Refusal(UserRef who, String words) {
        }
        for (Refusal r : List.of(new Refusal(BOB, "implementer of this ticket (assignee, moved it to To validate)"),
                new Refusal(RITA, "your access level is Reporter; signing off needs at least Developer"),
                new Refusal(OSCAR, "not a member of this project"))) {
            Decision d = ReviewPolicy.decide(ticket().toReview(1, BOB).signoff(2, r.who()).build(), settings(), WATCHED);
            Action.PostNote note = (Action.PostNote) d.actions().get(0);
            assertTrue(note.body().startsWith(r.who().mention() + " your sign-off"), note.body());
            assertTrue(note.body().contains(r.words()), note.body());
            assertFalse(d.signoffs().get(0).accepted());
        }
        Decision outside = ReviewPolicy.decide(ticket().signoff(1, CAROL).build(), settings(), WATCHED);
        assertTrue(((Action.PostNote) outside.actions().get(0)).body().contains("was not in the **To validate** column"));
    }

    @Test
    void signoffsBeforeTheWatchGetNoReply() {
        Decision d = ReviewPolicy.decide(ticket().toReview(-100, BOB).signoff(-90, CAROL).build(), settings(), WATCHED);
        assertEquals(Verdict.READY_TO_CLOSE, d.verdict());
        assertTrue(d.actions().isEmpty(), d.actions().toString());
    }

    @Test
    void scopeLabelNarrowsGovernedTickets() {
        PolicySettings scoped = new PolicySettings(REVIEW, 1, AccessLevels.DEVELOPER, true, Optional.of("infra"),
                BOT.id(), PolicySettings.DEFAULT_CLOSE_WINDOW);
        assertEquals(Verdict.NOT_GOVERNED, ReviewPolicy.decide(ticket().close(3, BOB).build(), scoped, WATCHED).verdict());
        assertEquals(Verdict.CLOSE_REJECTED, ReviewPolicy.decide(
                ticket().addLabel(1, ALICE, "infra").close(3, BOB).build(), scoped, WATCHED).verdict());
        // removing the scope label does not take a ticket out of the rule
        assertEquals(Verdict.CLOSE_REJECTED, ReviewPolicy.decide(
                ticket().addLabel(1, ALICE, "infra").removeLabel(2, BOB, "infra").close(3, BOB).build(), scoped, WATCHED).verdict());
    }

    @Test
    void closeByCountersignItselfIsNotEnforced() {
        Decision d = ReviewPolicy.decide(ticket().close(3, BOT).build(), settings(), WATCHED);
        assertEquals(Verdict.CLOSE_ACCEPTED, d.verdict());
        assertTrue(d.actions().isEmpty());
    }

    @Test
    void actionKeysAreStableAcrossNewHistory() {
        HistoryBuilder h = ticket().toReview(1, BOB).dragToClosed(2, BOB);
        List<String> first = ReviewPolicy.decide(h.build(), settings(), WATCHED).actions().stream().map(Action::key).toList();
        h.comment(3, CAROL, "just a remark");
        List<String> second = ReviewPolicy.decide(h.build(), settings(), WATCHED).actions().stream().map(Action::key).toList();
        assertEquals(first, second);
    }
}
