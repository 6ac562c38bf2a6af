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
import org.countersign.gitlab.sim.SimNote;
import org.countersign.gitlab.sim.SimUser;
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

    /**
     * Notes::UpdateService keeps created_at and moves updated_at; the REST note shows no editor, and a
     * Maintainer may edit anyone's comment (note_policy.rb): an edited /signoff does not count, the reply
     * asks for a new one, and the Note Hook with action "update" is what makes Countersign look again.
     */
    @Test
    void anEditedSignoffNoLongerCounts() {
        long iid = newTicket("Upgrade the mail relay");
        toReview(world.bob, iid);
        SimNote signoff = sim.comment(world.carol, project, iid, "/signoff relay tested with swaks");
        awaitBotNote(iid, b -> b.contains("Sign-off by @carol recorded"));
        sim.editNote(world.dave, project, iid, signoff.id(), "/signoff relay tested with swaks, and TLS too");

        awaitBotNote(iid, b -> b.startsWith("@carol your sign-off") && b.contains("no longer counts")
                && b.contains("write a new `/signoff` comment"));
        sim.close(world.bob, project, iid);
        awaitIssue(iid, i -> !i.isClosed());
        awaitBotNote(iid, b -> b.contains("reopened"));

        sim.comment(world.carol, project, iid, "/signoff relay and TLS tested with swaks");
        awaitBotNote(iid, b -> b.contains("Sign-off by @carol recorded") && b.contains("TLS tested"));
        sim.close(world.bob, project, iid);
        settle();
        assertTrue(issue(iid).isClosed(), "a new sign-off counts");
    }

    /** AwardEmoji bumps the note's updated_at (Note#bump_updated_at) like an edit: a 👍 is no edit. */
    @Test
    void aReactionOnASignoffIsNotAnEdit() {
        long iid = newTicket("Renew the DNSSEC keys");
        toReview(world.bob, iid);
        SimNote signoff = sim.comment(world.carol, project, iid, "/signoff DS record checked at the registrar");
        awaitBotNote(iid, b -> b.contains("Sign-off by @carol recorded"));
        sim.awardEmoji(world.bob, project, iid, signoff.id(), "thumbsup");
        assertTrue(sim.note(project, iid, signoff.id()).updatedAt().isAfter(signoff.createdAt()), "GitLab moved updated_at");
        sim.close(world.bob, project, iid);
        settle();
        assertTrue(issue(iid).isClosed(), "the sign-off still counts");
        assertEquals(1, botNotes(iid).size(), "only the confirmation: " + botNotes(iid));
    }

    /**
     * Project access tokens create bot users (ResourceAccessTokens::CreateService) that are real members
     * with a role; GET /users/:id says bot: true. They never count as reviewers.
     */
    @Test
    void anAccessTokenBotCannotSignOff() {
        SimUser tokenBot = sim.addProjectBot(project, GitLabSimulator.MAINTAINER);
        long iid = newTicket("Prune old container images");
        toReview(world.bob, iid);
        sim.comment(tokenBot, project, iid, "/signoff automated check passed");
        awaitBotNote(iid, b -> b.startsWith("@" + tokenBot.username() + " your sign-off") && b.contains("bot account"));
        sim.close(world.bob, project, iid);
        awaitIssue(iid, i -> !i.isClosed());
        awaitBotNote(iid, b -> b.contains("reopened") && b.contains("0 of the 1 required sign-off"));
    }

    /** A deleted label leaves its events with label: null (resource_label_event.rb): nothing breaks, nothing is undone. */
    @Test
    void deletingTheReviewLabelNeverUndoesAnAcceptedClose() {
        long iid = newTicket("Move the monitoring to the new host");
        toReview(world.bob, iid);
        sim.comment(world.dave, project, iid, "/signoff dashboards and alerts checked on the new host");
        awaitBotNote(iid, b -> b.contains("Sign-off by @dave recorded"));
        sim.dragToClosed(world.bob, project, iid);
        settle();
        assertTrue(issue(iid).isClosed());

        sim.deleteLabel(project, GitLabWorld.REVIEW);
        try {
            sim.comment(world.alice, project, iid, "post-mortem: nothing to add"); // evaluated again
            settle();
            assertTrue(issue(iid).isClosed(), "accepted, and stays so");
            assertEquals(1, botNotes(iid).size(), botNotes(iid).toString());
        } finally {
            sim.createBoard(project, "Interventions", GitLabWorld.DOING, GitLabWorld.REVIEW);
        }
    }

    /**
     * GitLab caps pages at 100 and lists notes newest first by default; a ticket with 300 comments whose
     * /signoff is the oldest closes cleanly (every page is read).
     */
    @Test
    void aLongTicketWhoseSignoffIsTheOldestCommentClosesCleanly() {
        long iid = newTicket("Rebuild the RAID array");
        toReview(world.bob, iid);
        sim.comment(world.carol, project, iid, "/signoff array rebuilt, scrub clean");
        awaitBotNote(iid, b -> b.contains("Sign-off by @carol recorded"));
        sim.pauseWebhooks();
        for (int i = 0; i < 300; i++) {
            sim.comment(i % 2 == 0 ? world.alice : world.bob, project, iid, "progress log line " + i);
        }
        sim.resumeWebhooks();
        sim.close(world.bob, project, iid);
        settle();
        assertTrue(issue(iid).isClosed(), "the oldest comment's sign-off was read");
        assertTrue(sim.notes(project, iid).size() > 300);
    }

    /** An internal /signoff counts; its confirmation is internal too (Confidential Note Hook both ways). */
    @Test
    void anInternalSignoffIsConfirmedInternally() {
        long iid = newTicket("Rotate the root password");
        toReview(world.bob, iid);
        sim.internalComment(world.carol, project, iid, "/signoff new password is in the vault entry infra/root");
        SimNote reply = awaitBotNote(iid, b -> b.contains("Sign-off by @carol recorded"));
        assertTrue(reply.internal(), "the confirmation of an internal sign-off is internal");
        sim.close(world.bob, project, iid);
        settle();
        assertTrue(issue(iid).isClosed());
    }

    /**
     * Work items other than issues arrive as Issue Hooks with object_kind "work_item"
     * (lib/gitlab/data_builder/issuable.rb, MR 180959): every delivery gets a 2xx (GitLab disables a hook
     * after 4 failures), incidents are governed by default, tasks are not (COUNTERSIGN_GOVERNED_TYPES).
     */
    @Test
    void incidentsAreGovernedTasksAreNotAndNoWorkItemDeliveryFails() {
        int before = sim.webhookDeliveries().size();
        SimIssue incident = sim.createWorkItem(world.alice, project, "Backup server down", "incident", world.bob);
        SimIssue task = sim.createWorkItem(world.alice, project, "Check the cron table", "task", world.bob);
        sim.close(world.bob, project, incident.iid());
        sim.close(world.bob, project, task.iid());

        awaitIssue(incident.iid(), i -> !i.isClosed());
        awaitBotNote(incident.iid(), b -> b.contains("reopened"));
        settle();
        assertTrue(issue(task.iid()).isClosed(), "tasks are not governed by default");
        assertTrue(botNotes(task.iid()).isEmpty());
        var sent = sim.webhookDeliveries().subList(before, sim.webhookDeliveries().size());
        assertTrue(sent.stream().anyMatch(d -> d.body().contains("\"object_kind\":\"work_item\"")), "work_item hooks were sent");
        assertTrue(sent.stream().allMatch(d -> d.responseStatus() >= 200 && d.responseStatus() < 300),
                sent.stream().map(d -> d.event() + " " + d.responseStatus()).toList().toString());
    }
}
