package org.countersign.policy;

import static org.countersign.policy.HistoryBuilder.ALICE;
import static org.countersign.policy.HistoryBuilder.BOB;
import static org.countersign.policy.HistoryBuilder.BOT;
import static org.countersign.policy.HistoryBuilder.CAROL;
import static org.countersign.policy.HistoryBuilder.DAVE;
import static org.countersign.policy.HistoryBuilder.DOING;
import static org.countersign.policy.HistoryBuilder.REVIEW;
import static org.countersign.policy.HistoryBuilder.RITA;
import static org.countersign.policy.HistoryBuilder.T0;
import static org.countersign.policy.HistoryBuilder.at;
import static org.countersign.policy.HistoryBuilder.settings;
import static org.countersign.policy.HistoryBuilder.ticket;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Who a reminder asks and when one is owed; the pure part of reminders (the rest: e2e ReminderTest). */
class RemindersTest {

    private static final Duration DAY = Duration.ofHours(24);
    private static final UserRef ERIN = new UserRef(7, "erin");
    private static final UserRef TOKEN_BOT = new UserRef(8, "project_1_bot_abc");

    private static final List<ProjectMember> MEMBERS = List.of(
            new ProjectMember(ALICE, SignerFacts.person(ALICE.id(), AccessLevels.DEVELOPER)),
            new ProjectMember(BOB, SignerFacts.person(BOB.id(), AccessLevels.DEVELOPER)),
            new ProjectMember(CAROL, SignerFacts.person(CAROL.id(), AccessLevels.DEVELOPER)),
            new ProjectMember(DAVE, SignerFacts.person(DAVE.id(), AccessLevels.MAINTAINER)),
            new ProjectMember(RITA, SignerFacts.person(RITA.id(), AccessLevels.REPORTER)),
            new ProjectMember(BOT, SignerFacts.person(BOT.id(), AccessLevels.DEVELOPER)),
            new ProjectMember(TOKEN_BOT, new SignerFacts(TOKEN_BOT.id(), SignerFacts.Account.BOT, true,
                    Optional.of(AccessLevels.MAINTAINER))),
            new ProjectMember(ERIN, new SignerFacts(ERIN.id(), SignerFacts.Account.PERSON, false,
                    Optional.of(AccessLevels.OWNER))));

    @Test
    void theQueueAsksTheSamePeopleFromAStoredDecisionsIds() {
        // the pages and the API know a ticket by its stored decision: implementers and counted signers by id
        UserRef runner = new UserRef(9, "backup-runner"); // a service account with a person-like name
        List<ProjectMember> members = new java.util.ArrayList<>(MEMBERS);
        members.add(new ProjectMember(runner, new SignerFacts(runner.id(), SignerFacts.Account.SERVICE_ACCOUNT, true,
                Optional.of(AccessLevels.MAINTAINER))));
        assertEquals(List.of(CAROL, DAVE), Reminders.stillToSign(members, List.of(ALICE.id(), BOB.id()), List.of(),
                settings()));
        assertEquals(List.of(CAROL), Reminders.stillToSign(members, List.of(ALICE.id(), BOB.id()), List.of(DAVE.id()),
                settings()), "dave's sign-off already counts");
    }

    @Test
    void periodCountsWholeWaitsAndNothingBeforeTheFirst() {
        assertEquals(0, Reminders.period(T0, T0.plus(DAY).minusMillis(1), DAY));
        assertEquals(1, Reminders.period(T0, T0.plus(DAY), DAY));
        assertEquals(1, Reminders.period(T0, T0.plus(Duration.ofHours(47)), DAY));
        assertEquals(2, Reminders.period(T0, T0.plus(Duration.ofHours(48)), DAY));
        assertEquals(0, Reminders.period(T0, T0.minusSeconds(5), DAY), "a clock behind GitLab's owes nothing");
    }

    @Test
    void asksOnlyActivePeopleWithTheLevelWhoDidNotWorkOnIt() {
        TicketHistory h = ticket().move(1, BOB, null, DOING).move(10, DAVE, DOING, REVIEW).build();
        // alice is the author, bob the assignee, dave moved it to review; rita is a reporter, erin is
        // blocked, the bot is Countersign and project_1_bot_abc is a token's bot
        assertEquals(List.of(CAROL), Reminders.stillToSign(ReviewPolicy.decide(h, settings(), T0), MEMBERS, settings()));
    }

    @Test
    void owedWhileWaitingShortOfSignoffsOnePerPeriod() {
        TicketHistory h = ticket().move(1, BOB, null, DOING).move(10, BOB, DOING, REVIEW).build();
        Decision d = ReviewPolicy.decide(h, settings(), T0);
        Instant since = at(10);
        assertTrue(Reminders.remind(d, settings(), MEMBERS, since.plus(Duration.ofHours(23)), DAY).isEmpty());
        Action.RemindReviewers first = Reminders.remind(d, settings(), MEMBERS, since.plus(Duration.ofHours(25)), DAY)
                .orElseThrow();
        Action.RemindReviewers again = Reminders.remind(d, settings(), MEMBERS, since.plus(Duration.ofHours(30)), DAY)
                .orElseThrow();
        Action.RemindReviewers second = Reminders.remind(d, settings(), MEMBERS, since.plus(Duration.ofHours(49)), DAY)
                .orElseThrow();
        assertEquals(first.key(), again.key(), "same period, same key: queued once");
        assertEquals("reminder:" + since.toEpochMilli() + ":2", second.key());
        assertEquals(List.of("carol", "dave"), first.reviewers());
        assertTrue(first.body().startsWith("@carol @dave this ticket has been waiting in **To validate** since "
                + "2026-11-20 09:10 UTC (25 hours) with 0 of 1 required sign-off."), first.body());
    }

    @Test
    void doesNotAskAgainWhoseSignoffAlreadyCounts() {
        // two sign-offs needed; carol gave hers: the reminder asks dave only, and says 1 of 2
        PolicySettings two = HistoryBuilder.settings(2, true);
        TicketHistory h = ticket().move(1, BOB, null, DOING).move(10, BOB, DOING, REVIEW).signoff(20, CAROL).build();
        Decision d = ReviewPolicy.decide(h, two, T0);
        assertEquals(Verdict.AWAITING_SIGNOFF, d.verdict());
        Action.RemindReviewers r = Reminders.remind(d, two, MEMBERS, at(10).plus(DAY), DAY).orElseThrow();
        assertEquals(List.of("dave"), r.reviewers());
        assertTrue(r.body().startsWith("@dave this ticket has been waiting"), r.body());
        assertTrue(r.body().contains("with 1 of 2 required sign-offs"), r.body());
    }

    @Test
    void notOwedOnceSignedOffOrOutOfTheColumn() {
        Instant late = at(10).plus(Duration.ofDays(3));
        TicketHistory signed = ticket().move(1, BOB, null, DOING).move(10, BOB, DOING, REVIEW).signoff(20, CAROL).build();
        TicketHistory back = ticket().move(1, BOB, null, DOING).move(10, BOB, DOING, REVIEW).move(20, BOB, REVIEW, DOING)
                .build();
        for (TicketHistory h : List.of(signed, back)) {
            Decision d = ReviewPolicy.decide(h, settings(), T0);
            assertTrue(Reminders.remind(d, settings(), MEMBERS, late, DAY).isEmpty(), d.verdict().name());
        }
    }

    @Test
    void saysSoWhenNobodyMaySignOff() {
        TicketHistory h = ticket().move(1, BOB, null, DOING).move(10, BOB, DOING, REVIEW).build();
        Decision d = ReviewPolicy.decide(h, settings(), T0);
        List<ProjectMember> implementersOnly = MEMBERS.subList(0, 2);
        Action.RemindReviewers r = Reminders.remind(d, settings(), implementersOnly, at(10).plus(DAY), DAY).orElseThrow();
        assertTrue(r.body().startsWith("This ticket has been waiting"), r.body());
        assertTrue(r.body().contains("Nobody in this project may sign it off"), r.body());
    }
}
