package org.countersign.gitlab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.models.Issue;
import org.gitlab4j.api.models.IssueFilter;
import org.gitlab4j.api.models.Note;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A new or edited note touches its issue through {@code Note#touch_noteable} ({@code after_save}, app/models/note.rb)
 * and {@code Issue} includes {@code ThrottledTouch} (app/models/concerns/throttled_touch.rb:
 * {@code TOUCH_INTERVAL = 1.minute}, {@code super if (Time.zone.now - updated_at) > TOUCH_INTERVAL}): the
 * issue's {@code updated_at} moves only if its last change is MORE than a minute old. Deleting a note does not
 * touch ({@code after_note_destroyed} is a no-op in app/models/concerns/noteable.rb), nor does a reaction
 * ({@code Note#bump_updated_at} uses {@code update_columns}). Consequence for pollers: a comment made within a
 * minute of another change is invisible to {@code updated_after} beyond that change's time.
 */
class SimThrottledTouchTest {

    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00.000Z");

    private GitLabSimulator sim;
    private SimClock clock;
    private SimProject project;
    private SimUser alice;
    private SimUser bot;

    @BeforeEach
    void setUp() {
        sim = GitLabSimulator.start();
        clock = new SimClock(T0);
        sim.setClock(clock);
        alice = sim.addUser("alice", "Alice");
        bot = sim.addUser("countersign-bot", "Countersign");
        project = sim.createProject("infra/interventions");
        sim.addMember(project, alice, GitLabSimulator.DEVELOPER);
        sim.addMember(project, bot, GitLabSimulator.DEVELOPER);
        sim.createIssue(alice, project, "Reboot db-01", false, List.of("To do")); // updated_at T0
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    @Test
    void noteTouchesTheIssueOnlyWhenTheLastChangeIsMoreThanAMinuteOld() throws Exception {
        clock.advance(Duration.ofSeconds(30));
        sim.comment(alice, project, 1, "first");
        assertEquals(T0, sim.issue(project, 1).updatedAt(), "30 s after the creation: throttled");

        clock.set(T0.plusSeconds(60));
        sim.comment(alice, project, 1, "second");
        assertEquals(T0, sim.issue(project, 1).updatedAt(), "exactly 60 s is not MORE than a minute");

        clock.set(T0.plusMillis(60_001));
        try (GitLabApi api = new GitLabApi(sim.baseUrl(), bot.token())) {
            Note third = api.getNotesApi().createIssueNote(project.id(), 1L, "third");
            assertEquals(Date.from(T0.plusMillis(60_001)), third.getCreatedAt());
            Issue issue = api.getIssuesApi().getIssue(project.id(), 1L);
            assertEquals(Date.from(T0.plusMillis(60_001)), issue.getUpdatedAt(), "touched");

            clock.advance(Duration.ofSeconds(59));
            api.getNotesApi().updateIssueNote(project.id(), 1L, third.getId(), "third, edited");
            assertEquals(Date.from(T0.plusMillis(60_001)), api.getIssuesApi().getIssue(project.id(), 1L)
                    .getUpdatedAt(), "an edit saves the note: same throttled touch");
            assertEquals(Date.from(T0.plusMillis(60_001).plusSeconds(59)),
                    api.getNotesApi().getIssueNote(project.id(), 1L, third.getId()).getUpdatedAt(),
                    "the note itself is saved, not touched: its updated_at is not throttled");
        }
    }

    @Test
    void labelUpdatesAreNotThrottledOnlyTouchesAre() {
        clock.advance(Duration.ofSeconds(10));
        sim.moveToList(alice, project, 1, "To do", "To validate");
        assertEquals(T0.plusSeconds(10), sim.issue(project, 1).updatedAt(), "a real update always moves it");
        clock.advance(Duration.ofSeconds(20));
        sim.comment(alice, project, 1, "/signoff");
        assertEquals(T0.plusSeconds(10), sim.issue(project, 1).updatedAt());
    }

    @Test
    void deletingANoteOrReactingToItNeverTouchesTheIssue() {
        long id = sim.comment(alice, project, 1, "to delete").id();
        long kept = sim.comment(alice, project, 1, "kept").id();
        clock.advance(Duration.ofMinutes(10));
        sim.awardEmoji(bot, project, 1, kept, "thumbsup");
        sim.deleteNote(alice, project, 1, id);
        assertEquals(T0, sim.issue(project, 1).updatedAt());
        assertEquals(T0.plus(Duration.ofMinutes(10)), sim.note(project, 1, kept).updatedAt());
    }

    /** What a poller sees: the comment exists but the issue is not "updated after" the move. */
    @Test
    void aCommentRightAfterAMoveIsNotFoundByUpdatedAfterPolling() throws Exception {
        clock.advance(Duration.ofMinutes(5));
        sim.moveToList(alice, project, 1, "To do", "To validate"); // T0+5m
        clock.advance(Duration.ofSeconds(40));
        sim.comment(alice, project, 1, "/signoff"); // T0+5m40s, throttled
        try (GitLabApi api = new GitLabApi(sim.baseUrl(), bot.token())) {
            IssueFilter after = new IssueFilter().withUpdatedAfter(Date.from(T0.plus(Duration.ofMinutes(5))
                    .plusSeconds(1)));
            assertEquals(List.of(), api.getIssuesApi().getIssues(project.id(), after, 100).all());
            IssueFilter atMove = new IssueFilter().withUpdatedAfter(Date.from(T0.plus(Duration.ofMinutes(5))));
            assertEquals(1, api.getIssuesApi().getIssues(project.id(), atMove, 100).all().size());
        }
    }
}
