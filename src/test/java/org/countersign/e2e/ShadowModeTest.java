package org.countersign.e2e;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.countersign.gitlab.sim.SimNote;
import org.countersign.store.AuditLog;
import org.countersign.store.AuditRecord;
import org.countersign.workflow.ReconcileProjects;
import org.junit.jupiter.api.Test;

/**
 * COUNTERSIGN_MODE=shadow end to end: the same decisions, audited with their mode, nothing changed on
 * the ticket, one note per close saying what enforcement would have done.
 */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
@TestProfile(ShadowModeTest.Shadow.class)
class ShadowModeTest extends E2eSupport {

    public static class Shadow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("countersign.mode", "shadow");
        }
    }

    @Inject
    AuditLog audit;

    @Inject
    ReconcileProjects reconcile;

    @Test
    void aCloseWithoutReviewStandsAndGetsOneNoteSayingWhatWouldHaveHappened() {
        long iid = newTicket("Change backup retention");
        sim.dragToClosed(world.bob, project, iid);

        SimNote note = awaitBotNote(iid, b -> b.contains("shadow mode"));
        assertTrue(note.body().contains("@bob this ticket was closed without the required review. Enforcing, Countersign"
                + " would have reopened it and put its board label back."), note.body());
        assertTrue(note.body().contains("It was not in the **To validate** column when it was closed."), note.body());
        settle();
        reconcile.run(); // a pass decides again on the same close: still one note
        settle();
        assertTrue(issue(iid).isClosed(), "shadow mode reopens nothing");
        assertFalse(issue(iid).labels().contains(GitLabWorld.DOING), "shadow mode puts no label back");
        assertEquals(1, botNotes(iid).size(), "one note per close: " + botNotes(iid).stream().map(SimNote::body).toList());
        assertTrue(sim.labelEvents(project, iid).stream().noneMatch(e -> e.user().id() == world.bot.id()),
                "no label changed by Countersign: " + sim.labelEvents(project, iid));

        List<AuditRecord> trail = audit.forTicket(project.id(), iid);
        AuditRecord rejected = trail.stream().filter(a -> a.kind().equals("DECISION") && a.outcome().equals("CLOSE_REJECTED"))
                .findFirst().orElseThrow(() -> new AssertionError("decided as usual: " + trail));
        assertEquals("bob", rejected.actor());
        assertTrue(trail.stream().allMatch(a -> "shadow".equals(a.mode())), "every entry records its mode: " + trail);
        assertTrue(trail.stream().anyMatch(a -> a.kind().equals("ACTION") && a.gitlabRef().startsWith("shadow-close:")
                && a.outcome().equals("DONE")), trail.toString());
        assertTrue(trail.stream().noneMatch(a -> a.gitlabRef() != null && a.gitlabRef().startsWith("reopen:")), trail.toString());
    }

    @Test
    void aReviewedCloseGetsANoteThatItWouldStandAndSignoffsAreStillAnswered() {
        long iid = newTicket("Re-enable the nightly backup job");
        toReview(world.bob, iid);
        sim.comment(world.carol, project, iid, "/signoff ran the job by hand");
        awaitBotNote(iid, b -> b.contains("Sign-off by @carol recorded"));
        sim.close(world.bob, project, iid);

        SimNote note = awaitBotNote(iid, b -> b.contains("shadow mode"));
        assertTrue(note.body().contains("Enforcing, Countersign would have let this close stand: Closed by @bob from"
                + " **To validate** with 1 of 1 required sign-offs."), note.body());
        settle();
        assertEquals(2, botNotes(iid).size(), "the sign-off answer and one note on the close");
        assertTrue(issue(iid).isClosed());
    }

    @Test
    void theModeIsShownInTheHealthDetails() {
        JsonPath health = given().get("/q/health").then().statusCode(200).extract().jsonPath();
        assertEquals("shadow", health.getString("checks.find { it.name == 'countersign policy' }.data.mode"));
    }
}
