package org.countersign.e2e;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.countersign.gitlab.sim.SimIssue;
import org.countersign.gitlab.sim.SimNote;
import org.countersign.store.AuditLog;
import org.countersign.store.AuditRecord;
import org.countersign.workflow.EmergencyDeadlines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The emergency path end to end: {@code /emergency <reason>}, a close that stands with the label
 * {@code Review owed}, then either a retroactive {@code /signoff} within the deadline or, once the
 * service's clock is past it, the deadline job reopening the ticket into the review column.
 */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
@TestProfile(EmergencyWorldProfile.class)
class EmergencyPathTest extends E2eSupport {

    static final String OWED = "Review owed";

    @Inject
    ShiftableClock clock;

    @Inject
    EmergencyDeadlines deadlines;

    @Inject
    AuditLog audit;

    @AfterEach
    void backToNow() {
        clock.reset();
    }

    private long emergencyClose(String title) {
        long iid = newTicket(title);
        sim.comment(world.bob, project, iid, "/emergency the payment API is down, the hotfix cannot wait");
        awaitBotNote(iid, b -> b.startsWith("@bob emergency path noted"));
        sim.dragToClosed(world.bob, project, iid);
        awaitIssue(iid, i -> i.isClosed() && i.labels().contains(OWED));
        SimNote due = awaitBotNote(iid, b -> b.contains("closed under the emergency path"));
        assertTrue(due.body().contains("A retroactive review is due by **"), due.body());
        return iid;
    }

    @Test
    void withinTheDeadlineASignoffOnTheClosedTicketSettlesIt() {
        long iid = emergencyClose("Hotfix the payment API");
        settle();
        assertTrue(issue(iid).isClosed(), "the emergency close stands");

        clock.advance(Duration.ofHours(71)); // still within the 72 h
        assertEquals(0, deadlines.run(), "nothing is due yet");
        sim.comment(world.carol, project, iid, "/signoff hotfix diff reviewed, error rate back to normal");
        SimNote settled = awaitBotNote(iid, b -> b.startsWith("Retroactive review of this emergency close recorded"));
        assertTrue(settled.body().contains("@carol signed off"), settled.body());
        assertTrue(settled.body().contains("hotfix diff reviewed, error rate back to normal"), settled.body());
        awaitIssue(iid, i -> !i.labels().contains(OWED));
        clock.advance(Duration.ofHours(2)); // past the deadline: settled, so nothing happens
        deadlines.run();
        settle();
        assertTrue(issue(iid).isClosed(), "a reviewed emergency close stays closed");
        assertEquals(3, botNotes(iid).size(), "request noted, close noted, review confirmed: "
                + botNotes(iid).stream().map(SimNote::body).toList());

        List<AuditRecord> emergencies = audit.forTicket(project.id(), iid).stream()
                .filter(a -> a.kind().equals("EMERGENCY")).toList();
        assertEquals(List.of("REVIEW_OWED", "REVIEWED"), emergencies.stream().map(AuditRecord::outcome).toList());
        assertTrue(emergencies.stream().allMatch(a -> "bob".equals(a.actor())), emergencies.toString());
    }

    @Test
    void pastTheDeadlineWithoutReviewTheTicketIsReopenedIntoTheReviewColumn() {
        long iid = emergencyClose("Restart the stuck queue");
        settle();
        clock.advance(Duration.ofHours(72).plusMinutes(1));
        assertTrue(deadlines.run() >= 1, "the deadline job picks the ticket up");

        SimIssue reopened = awaitIssue(iid, i -> !i.isClosed() && i.labels().contains(GitLabWorld.REVIEW)
                && !i.labels().contains(OWED));
        assertFalse(reopened.labels().contains(GitLabWorld.DOING), reopened.labels().toString());
        SimNote note = awaitBotNote(iid, b -> b.contains("retroactive review was due by"));
        assertTrue(note.body().startsWith("@bob this ticket was closed under the emergency path"), note.body());
        assertTrue(note.body().contains("reopened it into **To validate**"), note.body());
        deadlines.run(); // again, or on another instance: nothing more
        settle();
        assertEquals(1, botNotes(iid).stream().filter(n -> n.body().contains("retroactive review was due by")).count());
        assertTrue(audit.forTicket(project.id(), iid).stream().anyMatch(a -> a.kind().equals("EMERGENCY")
                && a.outcome().equals("OVERDUE")));

        // the review column works as always from there
        sim.comment(world.dave, project, iid, "/signoff queue drained, consumers healthy");
        awaitBotNote(iid, b -> b.contains("Sign-off by @dave recorded"));
        sim.close(world.bob, project, iid);
        settle();
        assertTrue(issue(iid).isClosed());
    }

    @Test
    void emergencyWithoutReasonIsRefusedAndTheCloseIsUndone() {
        long iid = newTicket("Flush the CDN");
        sim.comment(world.bob, project, iid, "/emergency");
        awaitBotNote(iid, b -> b.startsWith("@bob `/emergency` needs a reason"));
        sim.dragToClosed(world.bob, project, iid);
        awaitIssue(iid, i -> !i.isClosed() && i.labels().contains(GitLabWorld.DOING));
        awaitBotNote(iid, b -> b.contains("was closed without the required review"));
        settle();
        assertFalse(issue(iid).labels().contains(OWED));
    }

    @Test
    void emergencyClosesAreCountedPerPerson() {
        emergencyClose("Rotate a leaked key");
        settle();
        JsonPath counts = given().header("Authorization", "Bearer test-admin-token").get("/admin/emergencies")
                .then().statusCode(200).extract().jsonPath();
        int bob = counts.getInt("find { it.person == 'bob' }.emergencyCloses");
        assertTrue(bob >= 1, counts.prettify());
        given().get("/admin/emergencies").then().statusCode(401);
    }
}
