package org.countersign.e2e;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import org.countersign.gitlab.sim.GitLabSimulator;
import org.countersign.gitlab.sim.SimIssue;
import org.countersign.store.AuditLog;
import org.junit.jupiter.api.Test;

/**
 * Behaviours of real GitLab that the first simulator did not reproduce (issue 7), end to end: GitLab
 * does what it does, Countersign's outcome is what a GitLab user sees.
 */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
class GitLabBehaviourTest extends E2eSupport {

    @Inject
    AuditLog audit;

    /**
     * issue_policy.rb prevents reopen_issue on a locked issue for everyone; Issues::ReopenService then
     * leaves it unchanged and PUT …/issues/:iid answers 200 with state "closed". Countersign checks the
     * answer, unlocks, reopens and locks again.
     */
    @Test
    void aLockedDiscussionDoesNotKeepABadCloseClosed() {
        long iid = newTicket("Change the backup schedule");
        sim.lockDiscussion(world.dave, project, iid);
        sim.close(world.bob, project, iid);

        SimIssue reopened = awaitIssue(iid, i -> !i.isClosed());
        awaitBotNote(iid, b -> b.contains("reopened"));
        settle();
        assertTrue(issue(iid).discussionLocked(), "locked again after the reopen");
        assertFalse(reopened.isClosed());
        assertTrue(given().get("/q/health/well").then().extract().statusCode() == 200, "nothing is left dead");
    }

    /**
     * Issues::MoveService (WorkItems::DataSync::MoveService) closes the original, by the mover, and sets
     * its moved_to_id: the ticket goes on in the other project, so that close is no violation.
     */
    @Test
    void anIssueMovedAwayIsNotReopened() {
        long iid = newTicket("Archive the old wiki");
        SimIssue moved = sim.moveIssue(world.bob, project, iid, world.archive);
        settle();
        SimIssue original = issue(iid);
        assertTrue(original.isClosed(), "the original stays closed");
        assertEquals(moved.id(), original.movedToId());
        assertTrue(botNotes(iid).isEmpty(), "no complaint about a move: " + botNotes(iid));
    }

    /**
     * Countersign never closes tickets: a close made with its account (a shared token, or a "Closes #12"
     * commit GitLab attributes to it, issues/close_worker.rb) is judged like any other.
     */
    @Test
    void aCloseMadeWithCountersignsAccountIsUndone() {
        long iid = newTicket("Rotate the API keys");
        sim.close(world.bot, project, iid);
        awaitIssue(iid, i -> !i.isClosed());
        awaitBotNote(iid, b -> b.startsWith("@countersign-bot this ticket was closed without the required review"));
        settle();
        assertEquals(1, botNotes(iid).size());
    }

    /** A quick drag Doing → To validate → Closed within a second: only To validate comes back. */
    @Test
    void aQuickDragRestoresExactlyTheColumnItLeft() {
        long iid = newTicket("Swap the failed disk");
        toReview(world.bob, iid);
        sim.dragToClosed(world.bob, project, iid);

        SimIssue reopened = awaitIssue(iid, i -> !i.isClosed());
        awaitBotNote(iid, b -> b.contains("reopened"));
        settle();
        assertEquals(List.of(GitLabWorld.REVIEW), issue(iid).labels(), "exactly the list label it had before the close");
        assertFalse(reopened.labels().contains(GitLabWorld.DOING));
        assertEquals(1, sim.stateEvents(project, iid).stream().filter(e -> e.state().equals("reopened")).count());
    }

    /**
     * Once accepted and recorded, a close stays accepted: the reviewer removed from the project, or
     * blocked, changes nothing (members/all no longer lists them; a blocked user's state is "blocked").
     */
    @Test
    void anAcceptedCloseStaysAcceptedWhenTheReviewerLeaves() {
        GitLabSimulator.class.getName();
        long iid = newTicket("Re-enable the nightly backup");
        toReview(world.bob, iid);
        sim.comment(world.carol, project, iid, "/signoff ran it by hand, the archive is on the NAS");
        awaitBotNote(iid, b -> b.contains("Sign-off by @carol recorded"));
        sim.close(world.bob, project, iid);
        settle();
        assertTrue(issue(iid).isClosed());

        sim.removeMember(project, world.carol);
        try {
            sim.comment(world.alice, project, iid, "thanks, closing the loop"); // any change: evaluated again
            settle();
            assertTrue(issue(iid).isClosed(), "the accepted close stands");
            assertEquals(1, botNotes(iid).size(), "no complaint after the fact");
        } finally {
            sim.addMember(project, world.carol, GitLabSimulator.DEVELOPER);
        }
    }
}
