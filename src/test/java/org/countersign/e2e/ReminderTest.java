package org.countersign.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.countersign.gitlab.sim.GitLabSimulator;
import org.countersign.gitlab.sim.SimNote;
import org.countersign.gitlab.sim.SimUser;
import org.countersign.reminders.ReminderJob;
import org.countersign.reminders.SendReminders;
import org.countersign.store.TicketRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reminders end to end: a ticket that has waited in review longer than COUNTERSIGN_REMINDER_AFTER (24h
 * by default) gets one note mentioning who may sign it off; none once signed off or out of the column;
 * one only when several runners (instances) race. The simulator's clock is set back to write a review
 * that began a day ago; the service runs on the real clock, which {@link #repeatsAfterAFurtherPeriodAndNotBefore}
 * moves forward ({@link ShiftableClock}, reset after each test).
 *
 * <p>Listing members: GET /projects/:id/members/all gives direct and inherited members with their
 * effective access level (https://docs.gitlab.com/api/members/, lib/api/members.rb in gitlabhq); the
 * simulator serves it from the same membership table as GET /members/all/:user_id.
 */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
@TestProfile(EmergencyWorldProfile.class)
class ReminderTest extends E2eSupport {

    private static final String REMINDER_MARKER = "<!-- countersign:reminder:";

    @Inject
    SendReminders reminders;

    @Inject
    Scheduler scheduler;

    @Inject
    TicketRepository tickets;

    @Inject
    ShiftableClock serviceClock;

    @AfterEach
    void resetServiceClock() {
        serviceClock.reset();
    }

    private List<SimNote> reminderNotes(long iid) {
        return botNotes(iid).stream().filter(n -> n.body().contains(REMINDER_MARKER)).toList();
    }

    @Test
    void ticketWaitingADayRemindsTheEligibleReviewersOnce() {
        SimUser tokenBot = sim.addProjectBot(project, GitLabSimulator.MAINTAINER);
        long iid = inReviewSince("Upgrade PostgreSQL to 17", Duration.ofHours(25));

        SimNote note = awaitBotNote(iid, b -> b.contains(REMINDER_MARKER));
        assertTrue(note.body().startsWith("@carol @dave this ticket has been waiting in **To validate** since "), note.body());
        assertTrue(note.body().contains("(25 hours) with 0 of 1 required sign-off."), note.body());
        assertTrue(note.body().contains("`/signoff <what you verified>`"), note.body());
        // implementers (alice the author, bob assignee and mover), the reporter, the outsider and the bots are not asked
        for (String notAsked : List.of("@alice", "@bob", "@rita", "@oscar", "@countersign-bot", "@" + tokenBot.username())) {
            assertFalse(note.body().contains(notAsked), notAsked + " must not be asked: " + note.body());
        }
        // once per period: further passes (every second in tests) add nothing
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> reminderNotes(iid).size() == 1);
        settle();
        assertEquals(1, reminderNotes(iid).size());
    }

    @Test
    void secondPeriodGetsItsOwnReminderNumberedByThePeriod() {
        long iid = inReviewSince("Renew the wildcard certificate", Duration.ofHours(49));
        SimNote note = awaitBotNote(iid, b -> b.contains(REMINDER_MARKER));
        assertTrue(note.body().contains("(2 days)"), note.body());
        assertTrue(note.body().matches("(?s).*<!-- countersign:reminder:\\d+:2 -->.*"), "period 2, not 1 then 2: " + note.body());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> reminderNotes(iid).size() == 1);
    }

    @Test
    void repeatsAfterAFurtherPeriodAndNotBefore() {
        long iid = inReviewSince("Replace the backup tapes", Duration.ofHours(25));
        SimNote first = awaitBotNote(iid, b -> b.contains(REMINDER_MARKER));
        assertTrue(first.body().matches("(?s).*<!-- countersign:reminder:\\d+:1 -->.*"), first.body());

        // 47 h in review: still the first period, so passes (every second) add nothing
        serviceClock.advance(Duration.ofHours(22));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> reminderNotes(iid).size() == 1);

        // 49 h: the second period has begun, so a second reminder goes out, numbered 2, and only one
        serviceClock.advance(Duration.ofHours(2));
        await().atMost(PATIENCE).until(() -> reminderNotes(iid).size() == 2);
        SimNote second = reminderNotes(iid).get(1);
        assertTrue(second.body().matches("(?s).*<!-- countersign:reminder:\\d+:2 -->.*"), second.body());
        assertTrue(second.body().contains("(2 days)"), second.body());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> reminderNotes(iid).size() == 2);
    }

    @Test
    void noReminderOnceSignedOffOrOutOfTheColumn() {
        long signed;
        long movedBack;
        world.clock.setOffset(Duration.ofHours(-30));
        try {
            signed = newTicket("Rotate the SSH host keys");
            toReview(world.bob, signed);
            sim.comment(world.carol, project, signed, "/signoff new fingerprints published in the wiki");
            movedBack = newTicket("Resize the mail volume");
            toReview(world.bob, movedBack);
            sim.moveToList(world.bob, project, movedBack, GitLabWorld.REVIEW, GitLabWorld.DOING);
        } finally {
            world.clock.setOffset(Duration.ZERO);
        }
        // a control ticket proves reminder passes ran meanwhile
        long control = inReviewSince("Patch the hypervisors", Duration.ofHours(26));
        awaitBotNote(control, b -> b.contains(REMINDER_MARKER));
        // (carol's sign-off predates Countersign's watch: it counts, but gets no answer note)
        settle();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> reminderNotes(signed).isEmpty() && reminderNotes(movedBack).isEmpty());
        assertEquals("READY_TO_CLOSE", tickets.find(project.id(), signed).orElseThrow().verdict());
        assertEquals("IN_PROGRESS", tickets.find(project.id(), movedBack).orElseThrow().verdict());
    }

    /**
     * A close undone back into review leaves CLOSE_REJECTED as the ticket's latest decision (Countersign's own
     * reopen is not decided again, to keep an undone close at 8 GitLab calls), yet the ticket waits in the
     * column as before: the review queue lists it with the review it had, and it is reminded when due.
     */
    @Test
    void aCloseUndoneBackIntoReviewStaysInTheQueueAndIsReminded() {
        long iid = inReviewSince("Replace the UPS batteries", Duration.ofHours(20));
        awaitVerdict(iid, "AWAITING_SIGNOFF");
        sim.dragToClosed(world.bob, project, iid); // drag to Closed: GitLab closes it and removes the list label
        awaitBotNote(iid, b -> b.contains("Countersign reopened it"));
        settle();
        assertEquals("CLOSE_REJECTED", tickets.find(project.id(), iid).orElseThrow().verdict());
        assertTrue(!issue(iid).isClosed() && issue(iid).labels().contains(GitLabWorld.REVIEW), "reopened into review");

        List<Map<String, Object>> queue = given().header("Authorization", "Bearer test-admin-token").get("/api/v1/queue")
                .then().statusCode(200).extract().jsonPath().<Map<String, Object>>getList("items").stream()
                .filter(i -> ((Number) i.get("iid")).longValue() == iid).toList();
        assertEquals(1, queue.size(), "the undone close waits in the queue");
        assertEquals("AWAITING_SIGNOFF", queue.get(0).get("verdict"));
        long waited = ((Number) queue.get(0).get("waitingSeconds")).longValue();
        assertTrue(waited >= 20 * 3600 - 60 && waited < 21 * 3600, "the review it had, about 20 hours: " + queue.get(0));

        serviceClock.advance(Duration.ofHours(5)); // 25 hours in review
        SimNote note = awaitBotNote(iid, b -> b.contains(REMINDER_MARKER));
        assertTrue(note.body().startsWith("@carol @dave this ticket has been waiting in **To validate** since "), note.body());
        assertTrue(note.body().contains("(25 hours)"), note.body());
    }

    @Test
    void twoRunnersRacingPostOneReminder() throws Exception {
        scheduler.pause(ReminderJob.JOB); // the two runners below play two instances; the job stays out
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            long iid = inReviewSince("Move DNS to the new resolvers", Duration.ofHours(30));
            await().atMost(PATIENCE).until(() -> tickets.find(project.id(), iid)
                    .filter(t -> t.verdict().equals("AWAITING_SIGNOFF")).isPresent());
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> runAfter(go), pool);
            CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> runAfter(go), pool);
            go.countDown();
            assertEquals(1, first.get() + second.get(), "exactly one runner queues the reminder");
            awaitBotNote(iid, b -> b.contains(REMINDER_MARKER));
            // and a third pass, as a later instance would run, adds nothing
            assertEquals(0, reminders.run());
            settle();
            assertEquals(1, reminderNotes(iid).size());
        } finally {
            pool.shutdownNow();
            scheduler.resume(ReminderJob.JOB);
        }
    }

    @Test
    void aPassRemindsEveryTicketOwedHoweverManyAreAheadOfIt() {
        // a pass reads the waiting tickets a page at a time (500 in production; 1 here): a ticket reminded
        // for its current period ahead of the others must not keep them from their reminders
        scheduler.pause(ReminderJob.JOB); // only the passes below run
        try {
            long oldest = inReviewSince("Archive the 2025 audit logs", Duration.ofHours(40));
            awaitVerdict(oldest, "AWAITING_SIGNOFF");
            reminders.run(1);
            awaitBotNote(oldest, b -> b.contains(REMINDER_MARKER));

            long next = inReviewSince("Rotate the VPN certificates", Duration.ofHours(30));
            long last = inReviewSince("Update the on-call rota", Duration.ofHours(26));
            awaitVerdict(next, "AWAITING_SIGNOFF");
            awaitVerdict(last, "AWAITING_SIGNOFF");
            reminders.run(1);
            awaitBotNote(next, b -> b.contains(REMINDER_MARKER));
            awaitBotNote(last, b -> b.contains(REMINDER_MARKER));
            // and a further pass finds nothing owed
            assertEquals(0, reminders.run(1));
            settle();
            for (long iid : List.of(oldest, next, last)) {
                assertEquals(1, reminderNotes(iid).size(), "#" + iid);
            }
        } finally {
            scheduler.resume(ReminderJob.JOB);
        }
    }

    private void awaitVerdict(long iid, String verdict) {
        await().atMost(PATIENCE).until(() -> tickets.find(project.id(), iid)
                .filter(t -> t.verdict().equals(verdict)).isPresent());
    }

    private int runAfter(CountDownLatch go) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return reminders.run();
    }
}
