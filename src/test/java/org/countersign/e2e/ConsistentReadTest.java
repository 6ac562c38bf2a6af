package org.countersign.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.countersign.gitlab.sim.SimNote;
import org.countersign.policy.Comment;
import org.countersign.workflow.GitLabPort;
import org.junit.jupiter.api.Test;

/**
 * A ticket's history is read as one snapshot even when people act while its pages are read. GitLab
 * touches the updated_at for new notes at most once a minute (throttled_touch.rb) and not at all
 * when a note is deleted (Notes::DestroyService), so updated_at alone cannot tell; the user-note count can.
 */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
class ConsistentReadTest extends E2eSupport {

    @Inject
    GitLabPort gitlab;

    @Test
    void aNoteDeletedWhilePagesAreReadMakesTheReaderReadAgain() {
        long iid = newTicket("Audit the sudoers files");
        sim.pauseWebhooks();
        for (int i = 0; i < 250; i++) {
            sim.comment(world.alice, project, iid, "finding " + i);
        }
        sim.resumeWebhooks();
        settle();
        List<SimNote> notes = sim.notes(project, iid);
        SimNote early = notes.get(49);
        // after page 1 (notes 1-100, oldest first) was read, note 50 goes: page 2 now starts one note later
        sim.beforeNext("GET", "/projects/:id/issues/:iid/notes", "page=2", () ->
                sim.deleteNote(world.alice, project, iid, early.id()));

        GitLabPort.LoadedTicket loaded = gitlab.loadTicket(project.id(), iid, Optional.empty());

        List<Long> read = loaded.history().comments().stream().map(Comment::id).toList();
        List<Long> now = sim.notes(project, iid).stream().map(SimNote::id).toList();
        assertEquals(now, read, "the history read is GitLab's notes as they are now, none skipped");
    }

    @Test
    void aNoteAddedWhilePagesAreReadIsNotLost() {
        long iid = newTicket("Check the firewall rules");
        sim.pauseWebhooks();
        for (int i = 0; i < 150; i++) {
            sim.comment(world.bob, project, iid, "rule " + i + " reviewed");
        }
        sim.resumeWebhooks();
        settle();
        sim.beforeNext("GET", "/projects/:id/issues/:iid/notes", "page=2", () ->
                sim.comment(world.carol, project, iid, "/signoff rules match the spreadsheet"));

        GitLabPort.LoadedTicket loaded = gitlab.loadTicket(project.id(), iid, Optional.empty());

        List<Long> read = loaded.history().comments().stream().map(Comment::id).toList();
        List<Long> now = sim.notes(project, iid).stream().map(SimNote::id).toList();
        assertEquals(now, read);
    }
}
