package org.countersign.policy;

import static org.countersign.policy.HistoryBuilder.BOB;
import static org.countersign.policy.HistoryBuilder.BOT;
import static org.countersign.policy.HistoryBuilder.CAROL;
import static org.countersign.policy.HistoryBuilder.DOING;
import static org.countersign.policy.HistoryBuilder.OSCAR;
import static org.countersign.policy.HistoryBuilder.REVIEW;
import static org.countersign.policy.HistoryBuilder.RITA;
import static org.countersign.policy.HistoryBuilder.at;
import static org.countersign.policy.HistoryBuilder.settings;
import static org.countersign.policy.HistoryBuilder.ticket;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The emergency path and shadow mode as pure functions: history and {@code now} in, decision out. */
class EmergencyPolicyTest {

    private static final Instant WATCHED = at(-60);
    private static final Instant CLOSED = at(3);
    private static final Instant DUE = CLOSED.plus(PolicySettings.DEFAULT_EMERGENCY_DEADLINE);

    private static Decision decide(HistoryBuilder h, Instant now) {
        return ReviewPolicy.decide(h.build(), settings(), WATCHED, Set.of(), now);
    }

    private static List<String> keys(Decision d) {
        return d.actions().stream().map(Action::key).toList();
    }

    private static HistoryBuilder emergencyClose() {
        return ticket().addLabel(1, BOB, DOING).comment(2, BOB, "/emergency production down, hotfix cannot wait").close(3, BOB);
    }

    @Test
    void withinTheDeadlineTheCloseStandsWithTheLabelAndANote() {
        Decision d = decide(emergencyClose(), DUE.minusSeconds(1));
        assertEquals(Verdict.REVIEW_OWED, d.verdict());
        Reason.EmergencyClose r = assertInstanceOf(Reason.EmergencyClose.class, d.reasons().get(0));
        assertEquals(DUE, r.due());
        assertEquals("bob", r.requester().username());
        assertEquals("production down, hotfix cannot wait", r.reason());
        String ref = d.closeRef().orElseThrow();
        assertEquals(List.of("emergency-label:" + ref, "emergency-close:" + ref, "emergency-reply:" + (1002)), keys(d));
        Action.ChangeLabels label = (Action.ChangeLabels) d.actions().get(0);
        assertEquals(List.of(PolicySettings.DEFAULT_EMERGENCY_LABEL), label.add());
        String note = ((Action.Note) d.actions().get(1)).body();
        assertTrue(note.contains("retroactive review is due by **2026-11-23 09:03 UTC**"), note);
    }

    @Test
    void pastTheDeadlineWithoutReviewItIsReopenedIntoTheReviewColumn() {
        Decision d = decide(emergencyClose(), DUE);
        assertEquals(Verdict.CLOSE_REJECTED, d.verdict());
        assertEquals(List.of(ReasonCode.EMERGENCY_REVIEW_OVERDUE), d.reasons().stream().map(Reason::code).toList());
        Action.Reopen reopen = (Action.Reopen) d.actions().get(0);
        assertTrue(reopen.restoreLabels().contains(REVIEW), reopen.toString());
        Action.ChangeLabels off = (Action.ChangeLabels) d.actions().stream().filter(a -> a instanceof Action.ChangeLabels)
                .findFirst().orElseThrow();
        assertEquals(List.of(PolicySettings.DEFAULT_EMERGENCY_LABEL), off.remove());
        String note = ((Action.ExplainRejectedClose) d.actions().get(1)).body();
        assertTrue(note.contains("retroactive review was due by 2026-11-23 09:03 UTC"), note);
        assertTrue(note.contains("reopened it into **To validate**"), note);
    }

    @Test
    void anEligibleSignoffOnTheClosedTicketSettlesIt() {
        HistoryBuilder h = emergencyClose().comment(10, CAROL, "/signoff hotfix diff reviewed, tests green");
        for (Instant now : List.of(at(11), DUE.plusSeconds(3600))) {
            Decision d = decide(h, now);
            assertEquals(Verdict.CLOSE_ACCEPTED, d.verdict(), "also once the deadline passed: the review came in time");
            Reason.EmergencyReviewed r = assertInstanceOf(Reason.EmergencyReviewed.class, d.reasons().get(0));
            assertEquals("carol", r.reviewers().get(0).username());
            String ref = d.closeRef().orElseThrow();
            assertTrue(keys(d).containsAll(List.of("emergency-label-removed:" + ref, "emergency-reviewed:" + ref)), keys(d).toString());
            assertTrue(keys(d).stream().noneMatch(k -> k.startsWith("signoff-reply:")), "the settling note confirms it: " + keys(d));
        }
    }

    @Test
    void theImplementersOwnSignoffDoesNotSettleIt() {
        Decision d = decide(emergencyClose().comment(10, BOB, "/signoff I checked it myself"), at(11));
        assertEquals(Verdict.REVIEW_OWED, d.verdict());
        assertTrue(keys(d).stream().anyMatch(k -> k.startsWith("signoff-reply:")), "the refusal is answered: " + keys(d));
    }

    @Test
    void refusedRequestsAreAnsweredAndTheCloseIsJudgedAsUsual() {
        record Refusal(HistoryBuilder history, ReasonCode code, String says) {
        }
        List<Refusal> refusals = List.of(
                new Refusal(ticket().addLabel(1, BOB, DOING).comment(2, BOB, "/emergency").close(3, BOB),
                        ReasonCode.EMERGENCY_WITHOUT_REASON, "`/emergency` needs a reason"),
                new Refusal(ticket().addLabel(1, BOB, DOING).comment(2, RITA, "/emergency it burns").close(3, BOB),
                        ReasonCode.EMERGENCY_NOT_ALLOWED, "(yours is Reporter)"),
                new Refusal(ticket().addLabel(1, BOB, DOING).comment(2, OSCAR, "/emergency it burns").close(3, BOB),
                        ReasonCode.EMERGENCY_NOT_ALLOWED, "(you are not a member of this project)"),
                new Refusal(ticket().addLabel(1, BOB, DOING).close(2, BOB).comment(3, BOB, "/emergency too late"),
                        ReasonCode.EMERGENCY_ON_CLOSED_TICKET, "only on an open ticket"));
        for (Refusal r : refusals) {
            Decision d = decide(r.history(), at(4));
            assertEquals(Verdict.CLOSE_REJECTED, d.verdict(), r.code().name());
            Action.EmergencyNote answer = d.actions().stream().filter(a -> a instanceof Action.EmergencyNote)
                    .map(Action.EmergencyNote.class::cast).findFirst().orElseThrow(() -> new AssertionError(r.code().name()));
            assertTrue(answer.body().contains(r.says()), answer.body());
        }
    }

    @Test
    void aReopenUsesTheRequestUpAndTheDisabledPathIgnoresIt() {
        Decision again = decide(emergencyClose().reopen(4, CAROL).close(5, BOB), at(6));
        assertEquals(Verdict.CLOSE_REJECTED, again.verdict(), "a new close after a reopen needs a new /emergency");

        PolicySettings off = settings().withEmergency(false, "Review owed", Duration.ofHours(72));
        Decision d = ReviewPolicy.decide(emergencyClose().build(), off, WATCHED, Set.of(), at(4));
        assertEquals(Verdict.CLOSE_REJECTED, d.verdict());
        assertTrue(d.actions().stream().anyMatch(a -> a instanceof Action.EmergencyNote n && n.body().contains("switched off")));
    }

    @Test
    void aQuotedOrFencedRequestIsNoRequest() {
        assertTrue(EmergencyCommand.parse("> /emergency quoted").isEmpty());
        assertTrue(EmergencyCommand.parse("```\n/emergency in code\n```").isEmpty());
        assertTrue(EmergencyCommand.parse("/emergency-later soon").isEmpty());
        assertEquals("db down", EmergencyCommand.parse("Heads up\n/EMERGENCY db down").orElseThrow());
        assertEquals("second line", EmergencyCommand.parse("/emergency\nsecond line").orElseThrow());
    }

    @Test
    void shadowModeKeepsTheVerdictAndReplacesEveryChangeByOneNote() {
        Decision enforce = ReviewPolicy.decide(ticket().addLabel(1, BOB, DOING).dragToClosed(3, BOB).build(), settings(),
                WATCHED, Set.of(), at(4));
        Decision shadow = ShadowMode.apply(enforce, settings());
        assertEquals(Verdict.CLOSE_REJECTED, shadow.verdict());
        assertEquals(enforce.reasons(), shadow.reasons());
        assertEquals(List.of("shadow-close:" + enforce.closeRef().orElseThrow()), keys(shadow));
        String body = ((Action.Note) shadow.actions().get(0)).body();
        assertTrue(body.contains("would have reopened it and put its board label back"), body);

        Decision owed = ShadowMode.apply(decide(emergencyClose(), at(4)), settings());
        assertTrue(owed.actions().stream().noneMatch(a -> a instanceof Action.ChangeLabels), "no label changed: " + keys(owed));
    }

    @Test
    void theBotsOwnRequestIsIgnored() {
        Decision d = decide(ticket().addLabel(1, BOB, DOING).comment(2, BOT, "/emergency quoting").close(3, BOB), at(4));
        assertEquals(Verdict.CLOSE_REJECTED, d.verdict());
    }
}
