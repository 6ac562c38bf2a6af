package org.countersign.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.countersign.gitlab.sim.GitLabSimulator;
import org.countersign.gitlab.sim.SimClock;
import org.countersign.gitlab.sim.SimLabelEvent;
import org.countersign.gitlab.sim.SimProject;
import org.countersign.gitlab.sim.SimStateEvent;
import org.countersign.gitlab.sim.SimUser;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.models.LabelEvent;
import org.gitlab4j.api.models.Note;
import org.gitlab4j.models.Constants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The production issue calls ({@link IssueResourceApi}, with the client Countersign installs) against
 * the simulated GitLab over HTTP: what GitLab4J 6.2.0 does not offer, exercised as production sends it.
 */
class IssueResourceApiTest {

    private static final Instant T0 = Instant.parse("2026-11-25T08:00:00.000Z");

    private GitLabSimulator sim;
    private SimClock clock;
    private SimProject project;
    private SimUser alice;
    private SimUser bot;
    private GitLabApi gitlab;
    private IssueResourceApi issues;

    @BeforeEach
    void setUp() {
        sim = GitLabSimulator.start();
        clock = new SimClock(T0);
        sim.setClock(clock);
        alice = sim.addUser("alice", "Alice Operator");
        bot = sim.addUser("countersign-bot", "Countersign");
        project = sim.createProject("infra/interventions");
        sim.addMember(project, alice, GitLabSimulator.DEVELOPER);
        sim.addMember(project, bot, GitLabSimulator.DEVELOPER);
        sim.createBoard(project, "Interventions", "Doing", "To validate");
        gitlab = new GitLabApi(sim.baseUrl(), bot.token());
        ReusingApiClient.install(gitlab, sim.baseUrl(), bot.token(), Duration.ofSeconds(5), Duration.ofSeconds(10));
        issues = new IssueResourceApi(gitlab);
    }

    @AfterEach
    void tearDown() {
        gitlab.close();
        sim.close();
    }

    /** lib/api/issues.rb: add_labels adds without replacing; the events are the bot's, one timestamp. */
    @Test
    void addLabelsKeepsTheOthers() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01", false, List.of("db"));
        clock.advance(Duration.ofMinutes(1));
        IssueResourceApi.IssueSnapshot updated = issues.update(project.id(), 1L, Map.of("add_labels", "To validate"));
        assertEquals(List.of("To validate", "db"), updated.issue().getLabels().stream().sorted().toList());
        List<SimLabelEvent> events = sim.labelEvents(project, 1);
        assertEquals("To validate", events.get(events.size() - 1).label().name());
        assertEquals(bot.id(), events.get(events.size() - 1).user().id());
    }

    /** One PUT reopens and restores the column: a reopened state event and the label, one update time. */
    @Test
    void reopenAndRestoreTheColumnInOnePut() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01", false, List.of("To validate"));
        sim.dragToClosed(alice, project, 1);
        clock.advance(Duration.ofMinutes(1));
        IssueResourceApi.IssueSnapshot answer = issues.update(project.id(), 1L,
                Map.of("state_event", "reopen", "add_labels", "To validate"));
        assertEquals(Constants.IssueState.OPENED, answer.issue().getState());
        assertEquals(List.of("To validate"), answer.issue().getLabels());
        List<SimStateEvent> states = sim.stateEvents(project, 1);
        SimStateEvent reopened = states.get(states.size() - 1);
        SimLabelEvent restored = sim.labelEvents(project, 1).get(sim.labelEvents(project, 1).size() - 1);
        assertEquals("reopened", reopened.state());
        assertEquals(reopened.createdAt(), restored.createdAt(), "one update");
        assertEquals(1, sim.requestCount("PUT", "/projects/:id/issues/:iid"));
    }

    /** issue_policy.rb: no reopen while the discussion is locked; the answer is 200 and says closed. */
    @Test
    void aRefusedReopenAnswers200ClosedAndTheLockCanBeLifted() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01");
        sim.close(alice, project, 1);
        sim.lockDiscussion(alice, project, 1);
        IssueResourceApi.IssueSnapshot refused = issues.update(project.id(), 1L, Map.of("state_event", "reopen"));
        assertEquals(Constants.IssueState.CLOSED, refused.issue().getState());
        assertTrue(refused.issue().getDiscussionLocked());
        IssueResourceApi.IssueSnapshot unlocked = issues.update(project.id(), 1L, Map.of("discussion_locked", "false"));
        assertFalse(unlocked.issue().getDiscussionLocked());
        assertEquals(Constants.IssueState.OPENED,
                issues.update(project.id(), 1L, Map.of("state_event", "reopen")).issue().getState());
    }

    /** Every page, following X-Next-Page: 250 notes oldest first; 10,001 label events past X-Total's limit. */
    @Test
    void allPagesAreRead() throws Exception {
        sim.createIssue(alice, project, "Long one");
        for (int i = 0; i < 250; i++) {
            sim.comment(alice, project, 1, "note " + i);
        }
        List<Note> notes = issues.all(Note.class, project.id(), 1L, "notes", Map.of("order_by", "created_at", "sort", "asc"));
        assertEquals(250, notes.size());
        assertEquals("note 0", notes.get(0).getBody());
        assertEquals("note 249", notes.get(249).getBody());
        for (int i = 0; i < 5001; i++) {
            sim.addLabels(alice, project, 1, "x");
            sim.removeLabels(alice, project, 1, "x");
        }
        List<LabelEvent> events = issues.all(LabelEvent.class, project.id(), 1L, "resource_label_events", Map.of());
        assertEquals(10_002, events.size(), "GitLab drops X-Total past 10,000; X-Next-Page still leads");
    }

    /** GET /users/:id tells an access-token bot from a person (User#bot?). */
    @Test
    void usersSayWhetherTheyAreBots() throws Exception {
        SimUser tokenBot = sim.addProjectBot(project, GitLabSimulator.MAINTAINER);
        assertTrue(issues.user(tokenBot.id()).bot());
        assertFalse(issues.user(alice.id()).bot());
        assertEquals("alice", issues.user(alice.id()).username());
    }
}
