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

    /** Actions abbreviated: R = reopen, L = with labels put back, N = close note, S = sign-off reply, E = edited reply. */
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
                // Countersign undoes a close within a second, inside the close window: its putting the label back
                // is not a person's quick drag back (which would make the removal no part of the close)
                new Case("a sign-off given before a close Countersign undid at once still counts",
                        ticket().toReview(1, BOB).signoff(2, CAROL).dragToClosed(3, BOB)
                                .reopenAt(HistoryBuilder.at(3).plusMillis(300), BOT)
                                .addLabelAt(HistoryBuilder.at(3).plusMillis(300), BOT, REVIEW)
                                .signoff(4, DAVE).dragToClosed(5, BOB), settings(2, true),
                        Verdict.CLOSE_ACCEPTED, Set.of(ReasonCode.SIGNOFFS_COMPLETE), "SS"),
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
                new Case("a sign-off written with Countersign's own account is refused, system notes never count",
                        ticket().toReview(1, BOB).comment(2, BOT, "/signoff by the bot").systemNote(2, CAROL, "/signoff")
                                .close(3, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RNS"),
                new Case("a close made with Countersign's own account is judged like any other",
                        ticket().addLabel(1, BOB, DOING).close(3, BOT), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.NOT_IN_REVIEW_AT_CLOSE, ReasonCode.MISSING_SIGNOFFS), "RN"),
                new Case("a quick drag Doing → To validate → Closed within a second restores To validate only",
                        ticket().addLabel(1, BOB, DOING).moveAt(at(2), BOB, DOING, REVIEW)
                                .dragToClosedAt(at(2).plusMillis(800), BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RLN"),
                new Case("a sign-off edited after it was written does not count",
                        ticket().toReview(1, BOB).editedComment(2, CAROL, "/signoff checked", 3).close(4, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RNE"),
                new Case("a comment edited into a sign-off does not count",
                        ticket().toReview(1, BOB).editedComment(2, CAROL, "looks fine\n/signoff", 5), settings(),
                        Verdict.AWAITING_SIGNOFF, Set.of(ReasonCode.IN_REVIEW), "E"),
                new Case("a project access-token bot cannot sign off",
                        ticket().toReview(1, BOB).signoff(2, CAROL).signer(CAROL, new SignerFacts(CAROL.id(),
                                SignerFacts.Account.BOT, true, Optional.of(AccessLevels.MAINTAINER))).close(3, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RNS"),
                new Case("a blocked member cannot sign off",
                        ticket().toReview(1, BOB).signoff(2, CAROL).signer(CAROL, new SignerFacts(CAROL.id(),
                                SignerFacts.Account.PERSON, false, Optional.of(AccessLevels.DEVELOPER))).close(3, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.MISSING_SIGNOFFS), "RNS"),
                new Case("an incident is governed like an issue",
                        ticket().type("incident").addLabel(1, BOB, DOING).close(3, BOB), settings(),
                        Verdict.CLOSE_REJECTED, Set.of(ReasonCode.NOT_IN_REVIEW_AT_CLOSE, ReasonCode.MISSING_SIGNOFFS), "RN"),
                new Case("a task is not governed by default",
                        ticket().type("task").addLabel(1, BOB, DOING).close(3, BOB), settings(),
                        Verdict.NOT_GOVERNED, Set.of(ReasonCode.TYPE_NOT_GOVERNED), ""),
                new Case("an issue moved to another project is judged there, not here",
                        ticket().addLabel(1, BOB, DOING).close(3, BOB).movedTo(9001), settings(),
                        Verdict.NOT_GOVERNED, Set.of(ReasonCode.MOVED), ""),
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
        assertEquals(c.verdict(), d.verdict(), Wording.summary(d));
        Set<ReasonCode> codes = d.reasons().stream().map(Reason::code).collect(Collectors.toSet());
        assertEquals(c.reasons(), codes, Wording.summary(d));
        assertEquals(c.actions(), abbreviate(d.actions()), d.actions().toString());
        assertEquals(d.fingerprint(), ReviewPolicy.decide(c.history().build(), c.settings(), WATCHED).fingerprint(),
                "deciding twice on the same history decides the same");
    }

    private static String abbreviate(List<Action> actions) {
        return actions.stream().map(a -> {
            if (a instanceof Action.Reopen r) {
                return r.restoreLabels().isEmpty() ? "R" : "RL";
            } else if (a instanceof Action.ExplainRejectedClose) {
                return "N";
            } else if (a instanceof Action.AnswerSignoff) {
                return "S";
            } else if (a instanceof Action.SignoffEdited) {
                return "E";
            }
            throw new AssertionError(a);
        }).collect(Collectors.joining());
    }

    @Test
    void rejectionNoteMentionsTheCloserAndSaysWhatIsMissing() {
        HistoryBuilder h = ticket().toReview(1, BOB).signoff(2, BOB).dragToClosed(3, BOB);
        Decision d = ReviewPolicy.decide(h.build(), settings(), WATCHED);
        Action.ExplainRejectedClose note = d.actions().stream().filter(a -> a instanceof Action.ExplainRejectedClose)
                .map(Action.ExplainRejectedClose.class::cast).findFirst().orElseThrow();
        assertTrue(note.body().startsWith("@bob "), note.body());
        assertTrue(note.body().contains("0 of the 1 required sign-off"), note.body());
        assertTrue(note.body().contains("@bob (assignee, moved it to To validate)"), note.body());
        assertTrue(note.body().contains("@alice (author)"), note.body());
        assertTrue(Wording.noteBody(note).endsWith(Wording.marker(note.key())), Wording.noteBody(note));
        Action.Reopen reopen = d.actions().stream().filter(a -> a instanceof Action.Reopen)
                .map(Action.Reopen.class::cast).findFirst().orElseThrow();
        assertEquals(List.of(REVIEW), reopen.restoreLabels());
        assertEquals(Optional.of(BOB), d.closedBy());
    }

    @Test
    void confirmationSaysWhoWhenAndWhatWasVerified() {
        HistoryBuilder h = ticket().toReview(1, BOB).comment(2, CAROL, "/signoff restore of 24 Nov tested, 41 GB");
        Decision d = ReviewPolicy.decide(h.build(), settings(), WATCHED);
        Action.AnswerSignoff note = (Action.AnswerSignoff) d.actions().get(0);
        assertEquals(h.lastId(), note.noteId());
        assertEquals("signoff-reply:" + h.lastId(), note.key());
        assertTrue(note.body().contains("Sign-off by @carol recorded (2026-11-20 09:02 UTC)"), note.body());
        assertTrue(note.body().contains("restore of 24 Nov tested, 41 GB"), note.body());
        assertTrue(note.body().contains("1 of 1 required — this ticket may now be closed."), note.body());
        SignoffCheck check = d.signoffs().get(0);
        assertTrue(check.accepted() && check.counts());
        assertEquals(Optional.of(at(1)), d.reviewSince());
    }

    @Test
    void reviewByIsWhoMovedItIntoTheColumnTheLastTime() {
        HistoryBuilder h = ticket().toReview(1, BOB).move(2, BOB, REVIEW, DOING).move(3, ALICE, DOING, REVIEW);
        Decision d = ReviewPolicy.decide(h.build(), settings(), WATCHED);
        assertEquals(Optional.of(at(3)), d.reviewSince());
        assertEquals(Optional.of(ALICE), d.reviewBy());
        // out of the column: no review, so nobody started it
        Decision out = ReviewPolicy.decide(h.move(4, ALICE, REVIEW, DOING).build(), settings(), WATCHED);
        assertEquals(Optional.empty(), out.reviewBy());
    }

    @Test
    void refusalsNameTheReason() {
        record Refusal(UserRef who, String words) {
        }
        for (Refusal r : List.of(new Refusal(BOB, "implementer of this ticket (assignee, moved it to To validate)"),
                new Refusal(RITA, "your access level is Reporter; signing off needs at least Developer"),
                new Refusal(OSCAR, "not a member of this project"))) {
            Decision d = ReviewPolicy.decide(ticket().toReview(1, BOB).signoff(2, r.who()).build(), settings(), WATCHED);
            Action.AnswerSignoff note = (Action.AnswerSignoff) d.actions().get(0);
            assertTrue(note.body().startsWith(r.who().mention() + " your sign-off"), note.body());
            assertTrue(note.body().contains(r.words()), note.body());
            assertFalse(d.signoffs().get(0).accepted());
        }
        Decision outside = ReviewPolicy.decide(ticket().signoff(1, CAROL).build(), settings(), WATCHED);
        assertTrue(((Action.AnswerSignoff) outside.actions().get(0)).body().contains("was not in the **To validate** column"));
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
                PolicySettings.DEFAULT_GOVERNED_TYPES, BOT.id(), PolicySettings.DEFAULT_CLOSE_WINDOW);
        assertEquals(Verdict.NOT_GOVERNED, ReviewPolicy.decide(ticket().close(3, BOB).build(), scoped, WATCHED).verdict());
        assertEquals(Verdict.CLOSE_REJECTED, ReviewPolicy.decide(
                ticket().addLabel(1, ALICE, "infra").close(3, BOB).build(), scoped, WATCHED).verdict());
        // removing the scope label does not take a ticket out of the rule
        assertEquals(Verdict.CLOSE_REJECTED, ReviewPolicy.decide(
                ticket().addLabel(1, ALICE, "infra").removeLabel(2, BOB, "infra").close(3, BOB).build(), scoped, WATCHED).verdict());
    }

    @Test
    void actionKeysAreStableAcrossNewHistory() {
        HistoryBuilder h = ticket().toReview(1, BOB).dragToClosed(2, BOB);
        List<String> first = ReviewPolicy.decide(h.build(), settings(), WATCHED).actions().stream().map(Action::key).toList();
        h.comment(3, CAROL, "just a remark");
        List<String> second = ReviewPolicy.decide(h.build(), settings(), WATCHED).actions().stream().map(Action::key).toList();
        assertEquals(first, second);
    }

    /** Issue point 6: once accepted and recorded, a close stays accepted whatever GitLab says later. */
    @Test
    void anAcceptedCloseStaysAcceptedWhateverChangesLater() {
        HistoryBuilder h = ticket().toReview(1, BOB).signoff(2, CAROL).close(3, BOB);
        Decision first = ReviewPolicy.decide(h.build(), settings(), WATCHED);
        assertEquals(Verdict.CLOSE_ACCEPTED, first.verdict());
        Set<String> accepted = Set.of(first.closeRef().orElseThrow());
        assertEquals(Optional.of(AccessLevels.DEVELOPER), first.signoffs().get(0).accessLevel(),
                "the decision records the access level the sign-off relied on");

        // the reviewer is removed from the project, then demoted, then blocked: without the record each would reject
        for (HistoryBuilder later : List.of(
                ticket().toReview(1, BOB).signoff(2, CAROL).close(3, BOB).notMember(CAROL),
                ticket().toReview(1, BOB).signoff(2, CAROL).close(3, BOB).access(CAROL, AccessLevels.REPORTER),
                ticket().toReview(1, BOB).signoff(2, CAROL).close(3, BOB).signer(CAROL,
                        new SignerFacts(CAROL.id(), SignerFacts.Account.PERSON, false, Optional.of(AccessLevels.DEVELOPER))),
                // the review label was deleted: GitLab returns its events with label null, which are no label changes
                ticket().addLabel(1, BOB, DOING).signoff(2, CAROL).close(3, BOB),
                // the sign-off was edited after the close
                ticket().toReview(1, BOB).editedComment(2, CAROL, "/signoff checked", 10).close(3, BOB))) {
            Decision without = ReviewPolicy.decide(later.build(), settings(), WATCHED);
            assertEquals(Verdict.CLOSE_REJECTED, without.verdict(),
                    "without the record, this later history would reject the close: " + Wording.summary(without));
            Decision again = ReviewPolicy.decide(later.build(), settings(), WATCHED, accepted);
            assertEquals(Verdict.CLOSE_ACCEPTED, again.verdict(), Wording.summary(again));
            assertEquals(Set.of(ReasonCode.ACCEPTED_EARLIER),
                    again.reasons().stream().map(Reason::code).collect(Collectors.toSet()));
            assertTrue(again.actions().stream().noneMatch(a -> a instanceof Action.Reopen || a instanceof Action.SignoffEdited),
                    again.actions().toString());
        }
        // a later close (dragged back out of Closed by a person, closed again) is judged on its own
        HistoryBuilder reclosed = ticket().toReview(1, BOB).signoff(2, CAROL).dragToClosed(3, BOB);
        Decision dragged = ReviewPolicy.decide(reclosed.build(), settings(), WATCHED);
        assertEquals(Verdict.CLOSE_ACCEPTED, dragged.verdict());
        reclosed.reopen(4, BOB).close(5, BOB);
        assertEquals(Verdict.CLOSE_REJECTED, ReviewPolicy.decide(reclosed.build(), settings(), WATCHED,
                Set.of(dragged.closeRef().orElseThrow())).verdict());
    }

    /** Issue point 3: an edited sign-off is refused with a reply asking for a new one. */
    @Test
    void anEditedSignoffAsksForANewOne() {
        HistoryBuilder h = ticket().toReview(1, BOB).editedComment(2, CAROL, "/signoff restore tested", 7);
        Decision d = ReviewPolicy.decide(h.build(), settings(), WATCHED);
        assertEquals(Verdict.AWAITING_SIGNOFF, d.verdict());
        Action.SignoffEdited reply = (Action.SignoffEdited) d.actions().get(0);
        assertEquals(h.lastId(), reply.noteId());
        assertTrue(reply.body().startsWith("@carol your sign-off of 2026-11-20 09:02 UTC no longer counts"), reply.body());
        assertTrue(reply.body().contains("edited after it was written (2026-11-20 09:07 UTC)"), reply.body());
        assertTrue(reply.body().contains("write a new `/signoff` comment"), reply.body());
        assertEquals(ReasonCode.SIGNOFF_EDITED, d.signoffs().get(0).reason().code());
        // the same reviewer's new, unedited sign-off counts
        h.signoff(8, CAROL);
        assertEquals(Verdict.READY_TO_CLOSE, ReviewPolicy.decide(h.build(), settings(), WATCHED).verdict());
    }

    /** Issue point 4: only people sign off, and the refusal says why. */
    @Test
    void onlyPeopleSignOff() {
        record NotAPerson(SignerFacts.Account account, String words) {
        }
        for (NotAPerson n : List.of(new NotAPerson(SignerFacts.Account.BOT, "a bot account"),
                new NotAPerson(SignerFacts.Account.SERVICE_ACCOUNT, "a service account"),
                new NotAPerson(SignerFacts.Account.GHOST, "ghost user"))) {
            Decision d = ReviewPolicy.decide(ticket().toReview(1, BOB).signoff(2, DAVE).signer(DAVE,
                    new SignerFacts(DAVE.id(), n.account(), true, Optional.of(AccessLevels.MAINTAINER))).build(), settings(), WATCHED);
            Action.AnswerSignoff reply = (Action.AnswerSignoff) d.actions().get(0);
            assertFalse(reply.accepted());
            assertTrue(reply.body().contains(n.words()) && reply.body().contains("must come from a person"), reply.body());
            assertEquals(Verdict.AWAITING_SIGNOFF, d.verdict());
        }
        Decision own = ReviewPolicy.decide(ticket().toReview(1, BOB).signoff(2, BOT).build(), settings(), WATCHED);
        assertTrue(((Action.AnswerSignoff) own.actions().get(0)).body().contains("Countersign's own account"));
    }

    /** Issue point 10: internal sign-offs are answered internally and never quoted in public. */
    @Test
    void internalSignoffsStayInternal() {
        String secret = "root password rotated to hunter2-vault-ref";
        HistoryBuilder h = ticket().toReview(1, BOB).internalComment(2, CAROL, "/signoff " + secret);
        Decision ready = ReviewPolicy.decide(h.build(), settings(), WATCHED);
        Action.AnswerSignoff reply = (Action.AnswerSignoff) ready.actions().get(0);
        assertTrue(reply.internal(), "the confirmation of an internal sign-off is internal too");
        assertTrue(reply.body().contains(secret), "the internal confirmation may quote it");
        assertEquals(Verdict.READY_TO_CLOSE, ready.verdict(), "an internal sign-off counts");

        // a rejected close's public note never quotes an internal note
        HistoryBuilder rejected = ticket().toReview(1, BOB).internalComment(2, BOB, "/signoff " + secret).close(3, BOB);
        Decision d = ReviewPolicy.decide(rejected.build(), settings(), WATCHED);
        for (Action a : d.actions()) {
            if (a instanceof Action.Note note && !note.internal()) {
                assertFalse(note.body().contains(secret), "public note quotes an internal one: " + note.body());
            }
        }
        assertTrue(d.actions().stream().anyMatch(a -> a instanceof Action.AnswerSignoff s && s.internal()));
    }
}
