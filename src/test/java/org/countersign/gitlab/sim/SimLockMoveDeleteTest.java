package org.countersign.gitlab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.GitLabApiException;
import org.gitlab4j.api.models.Issue;
import org.gitlab4j.models.Constants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Locked discussions, a state change plus labels in one PUT, moved and deleted issues. */
class SimLockMoveDeleteTest {

    private static final Instant T0 = Instant.parse("2026-11-25T09:00:00.000Z");

    private GitLabSimulator sim;
    private TestWebhookReceiver receiver;
    private SimClock clock;
    private SimProject project;
    private SimUser alice;
    private SimUser bob;
    private SimUser bot;
    private GitLabApi gitlab;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        sim = GitLabSimulator.start();
        clock = new SimClock(T0);
        sim.setClock(clock);
        receiver = new TestWebhookReceiver();
        alice = sim.addUser("alice", "Alice Operator");
        bob = sim.addUser("bob", "Bob Engineer");
        bot = sim.addUser("countersign-bot", "Countersign");
        project = sim.createProject("infra/interventions");
        sim.addMember(project, alice, GitLabSimulator.DEVELOPER);
        sim.addMember(project, bob, GitLabSimulator.MAINTAINER);
        sim.addMember(project, bot, GitLabSimulator.REPORTER);
        sim.createBoard(project, "Interventions", "To do", "To validate", "Validated");
        sim.addWebhook(project, receiver.url(), "s3cret");
        gitlab = new GitLabApi(sim.baseUrl(), bot.token());
    }

    @AfterEach
    void tearDown() {
        gitlab.close();
        sim.close();
        receiver.close();
    }

    // ---------------------------------------------------------------- locked discussions

    /**
     * lib/api/issues.rb {@code discussion_locked} param; app/services/issuable/common_system_notes_service.rb
     * {@code create_discussion_lock_note}; app/services/system_notes/issuables_service.rb {@code discussion_lock}
     * ("locked this issue"); lib/gitlab/hook_data/issue_builder.rb (discussion_locked is a safe hook attribute).
     */
    @Test
    void lockingThroughThePutRecordsASystemNoteAndFiresAnUpdateHook() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01");
        clock.advance(Duration.ofMinutes(1));
        HttpResponse<String> r = put(bot, 1, "discussion_locked=true");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(SimJson.MAPPER.readTree(r.body()).get("discussion_locked").asBoolean());
        assertTrue(gitlab.getIssuesApi().getIssue(project.id(), 1L).getDiscussionLocked());
        SimNote note = sim.notes(project, 1).get(0);
        assertTrue(note.system());
        assertEquals("locked this issue", note.body());
        assertEquals(bot.id(), note.author().id());

        sim.awaitWebhooksSent();
        JsonNode hook = SimJson.MAPPER.readTree(receiver.received().get(1).body());
        assertEquals("update", hook.at("/object_attributes/action").asText());
        assertTrue(hook.at("/object_attributes/discussion_locked").asBoolean());
        assertFalse(hook.at("/changes/discussion_locked/previous").asBoolean());
        assertTrue(hook.at("/changes/discussion_locked/current").asBoolean());

        sim.unlockDiscussion(bob, project, 1);
        assertEquals("unlocked this issue", sim.notes(project, 1).get(1).body());
        assertFalse(sim.issue(project, 1).discussionLocked());
    }

    /**
     * app/policies/issue_policy.rb {@code rule { locked }.policy { prevent :reopen_issue }} (everyone, a
     * Maintainer too); app/services/issues/reopen_service.rb returns the issue unchanged; the PUT answers 200.
     */
    @Test
    void reopeningALockedIssueAnswers200WithTheIssueStillClosed() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01");
        sim.close(alice, project, 1);
        sim.lockDiscussion(bob, project, 1);
        sim.awaitWebhooksSent();
        int hooksBefore = receiver.received().size();

        Issue answer = gitlab.getIssuesApi().reopenIssue(project.id(), 1L);
        assertEquals(Constants.IssueState.CLOSED, answer.getState(), "200, but still closed");
        SimIssue byMaintainer = sim.reopen(bob, project, 1);
        assertTrue(byMaintainer.isClosed(), "the lock stops Maintainers too");
        assertEquals(List.of("closed"), sim.stateEvents(project, 1).stream().map(SimStateEvent::state).toList());
        sim.awaitWebhooksSent();
        assertEquals(hooksBefore, receiver.received().size(), "nothing changed, no hook");
    }

    /**
     * app/services/issuable_base_service.rb {@code #update}: {@code change_additional_attributes} (->
     * {@code change_state} -> ReopenService) runs before {@code assign_attributes(params)}, so the reopen in a PUT
     * that also unlocks still sees the lock.
     */
    @Test
    void reopenAndUnlockInOnePutUnlocksButStaysClosed() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01");
        sim.close(alice, project, 1);
        sim.lockDiscussion(bob, project, 1);
        HttpResponse<String> r = put(bot, 1, "state_event=reopen&discussion_locked=false");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode issue = SimJson.MAPPER.readTree(r.body());
        assertEquals("closed", issue.get("state").asText());
        assertFalse(issue.get("discussion_locked").asBoolean());
        assertEquals("opened", gitlab.getIssuesApi().reopenIssue(project.id(), 1L).getState().toString(),
                "a second PUT reopens");
    }

    // ---------------------------------------------------------------- state change + labels in one PUT

    /**
     * The simulator's default: one update, one timestamp, ONE Issue Hook {@code reopen} carrying both the state
     * and the label changes (what the board-drag model always did).
     */
    @Test
    void reopenWithAddLabelsIsOneUpdateAndOneHookByDefault() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01", false, List.of("To do"));
        sim.close(alice, project, 1);
        clock.advance(Duration.ofMinutes(2));
        HttpResponse<String> r = put(bot, 1, "state_event=reopen&add_labels=To+validate");
        assertEquals(200, r.statusCode(), r.body());
        SimIssue issue = sim.issue(project, 1);
        assertFalse(issue.isClosed());
        assertEquals(List.of("To do", "To validate"), issue.labels());
        Instant at = T0.plus(Duration.ofMinutes(2));
        assertEquals(at, sim.stateEvents(project, 1).get(1).createdAt());
        assertEquals("reopened", sim.stateEvents(project, 1).get(1).state());
        SimLabelEvent added = sim.labelEvents(project, 1).get(1);
        assertEquals("To validate", added.label().name());
        assertEquals(at, added.createdAt(), "one timestamp");

        sim.awaitWebhooksSent();
        assertEquals(3, receiver.received().size(), "open, close, and one hook for the PUT");
        JsonNode hook = SimJson.MAPPER.readTree(receiver.received().get(2).body());
        assertEquals("reopen", hook.at("/object_attributes/action").asText());
        assertEquals(2, hook.at("/changes/state_id/previous").asInt());
        assertEquals(1, hook.at("/changes/state_id/current").asInt());
        assertEquals(1, hook.at("/changes/labels/previous").size());
        assertEquals(2, hook.at("/changes/labels/current").size());
    }

    /**
     * What GitLab's source does: {@code IssuableBaseService#update} calls {@code change_state} first, and
     * {@code Issues::ReopenService#execute} fires its own {@code execute_hooks(issue, 'reopen')}; the labels are
     * saved afterwards and {@code execute_hooks(issuable, 'update', ...)} fires a second hook
     * (app/services/issuable_base_service.rb, app/services/issues/reopen_service.rb, close_service.rb).
     */
    @Test
    void reopenWithAddLabelsSendsGitLabsTwoHooksWhenSplittingIsOn() throws Exception {
        sim.setSplitStateChangeHooks(true);
        sim.createIssue(alice, project, "Reboot db-01", false, List.of("To do"));
        sim.close(alice, project, 1);
        clock.advance(Duration.ofMinutes(2));
        assertEquals(200, put(bot, 1, "state_event=reopen&add_labels=To+validate").statusCode());
        sim.awaitWebhooksSent();
        assertEquals(4, receiver.received().size());
        JsonNode reopen = SimJson.MAPPER.readTree(receiver.received().get(2).body());
        assertEquals("reopen", reopen.at("/object_attributes/action").asText());
        assertTrue(reopen.at("/changes").has("state_id"));
        assertFalse(reopen.at("/changes").has("labels"));
        assertEquals(1, reopen.at("/object_attributes/labels").size(), "labels not yet added");
        JsonNode update = SimJson.MAPPER.readTree(receiver.received().get(3).body());
        assertEquals("update", update.at("/object_attributes/action").asText());
        assertFalse(update.at("/changes").has("state_id"));
        assertEquals(2, update.at("/changes/labels/current").size());
        assertEquals(1, update.at("/object_attributes/state_id").asInt());
    }

    // ---------------------------------------------------------------- move

    /**
     * lib/api/issues.rb {@code post ':id/issues/:issue_iid/move'} -> app/services/work_items/data_sync/
     * move_service.rb ({@code moved_to}, {@code Issues::CloseService} with a system note, "moved to/from" notes),
     * handlers/copy_data_handler.rb (created_at and state copied, new iid), widgets/labels.rb (labels kept by
     * title in the target), widgets/notes.rb + lib/gitlab/issuable/clone/copy_resource_events_service.rb (notes
     * and resource events copied).
     */
    @Test
    void moveClosesTheOriginalWithMovedToIdAndCreatesACopyInTheTarget() throws Exception {
        SimProject archive = sim.createProject("infra/archive");
        sim.addMember(archive, bot, GitLabSimulator.REPORTER);
        sim.createLabel(archive, "db", "#FF0000");
        sim.createIssue(alice, archive, "Old 1");
        sim.createIssue(alice, archive, "Old 2");
        SimWebhook archiveHook = sim.addWebhook(archive, receiver.url(), "s3cret");
        sim.createIssue(alice, project, "Reboot db-01", false, List.of("To do", "db"));
        sim.comment(alice, project, 1, "Rebooted");
        clock.advance(Duration.ofMinutes(10));
        sim.awaitWebhooksSent();
        int before = receiver.received().size();

        Issue moved = gitlab.getIssuesApi().moveIssue(project.id(), 1L, archive.id());
        assertEquals(archive.id(), moved.getProjectId());
        assertEquals(3L, moved.getIid(), "its own iid in the target");
        assertEquals(List.of("db"), moved.getLabels(), "only labels the target has");
        assertEquals(Date.from(T0), moved.getCreatedAt(), "created_at copied");
        assertEquals(Constants.IssueState.OPENED, moved.getState());

        Issue original = gitlab.getIssuesApi().getIssue(project.id(), 1L);
        assertEquals(Constants.IssueState.CLOSED, original.getState());
        assertEquals(bot.id(), original.getClosedBy().getId());
        JsonNode originalJson = getJson(bot, "/projects/" + project.id() + "/issues/1");
        assertEquals(moved.getId().longValue(), originalJson.get("moved_to_id").asLong());
        assertEquals(List.of("closed"), sim.stateEvents(project, 1).stream().map(SimStateEvent::state).toList());
        assertEquals(bot.id(), sim.stateEvents(project, 1).get(0).user().id());
        List<String> oldNotes = sim.notes(project, 1).stream().map(SimNote::body).toList();
        assertEquals(List.of("Rebooted", "moved to archive#3", "closed"), oldNotes);

        List<SimNote> newNotes = sim.notes(archive, 3);
        assertEquals("Rebooted", newNotes.get(0).body());
        assertEquals(alice.id(), newNotes.get(0).author().id(), "copied with its author");
        assertEquals("moved from interventions#1", newNotes.get(1).body());
        List<String> labelEvents = sim.labelEvents(archive, 3).stream()
                .map(e -> e.action() + " " + e.label().name() + "@" + e.label().projectId()).toList();
        assertEquals(List.of("add To do@" + project.id(), "add db@" + project.id(), "add db@" + archive.id(),
                "remove To do@" + project.id(), "remove db@" + project.id()), labelEvents);

        sim.awaitWebhooksSent();
        List<TestWebhookReceiver.Received> hooks = receiver.received().subList(before, receiver.received().size());
        assertEquals(2, hooks.size());
        JsonNode close = SimJson.MAPPER.readTree(hooks.get(0).body());
        assertEquals("close", close.at("/object_attributes/action").asText());
        assertEquals(project.id(), close.at("/project/id").asLong());
        assertEquals(moved.getId().longValue(), close.at("/object_attributes/moved_to_id").asLong());
        JsonNode open = SimJson.MAPPER.readTree(hooks.get(1).body());
        assertEquals("open", open.at("/object_attributes/action").asText());
        assertEquals(archive.id(), open.at("/project/id").asLong());
        assertEquals(3, open.at("/object_attributes/iid").asInt());
        assertEquals(archiveHook.id(), sim.webhookDeliveries().get(sim.webhookDeliveries().size() - 1).hookId());
    }

    @Test
    void moveIntoTheSameProjectOrAnUnknownOneFails() {
        sim.createIssue(alice, project, "Reboot db-01");
        GitLabApiException same = assertThrows(GitLabApiException.class,
                () -> gitlab.getIssuesApi().moveIssue(project.id(), 1L, project.id()));
        assertEquals(400, same.getHttpStatus());
        assertEquals("Cannot move work item to same project or group it originates from.", same.getMessage());
        GitLabApiException unknown = assertThrows(GitLabApiException.class,
                () -> gitlab.getIssuesApi().moveIssue(project.id(), 1L, 999L));
        assertEquals(404, unknown.getHttpStatus());
        assertFalse(sim.issue(project, 1).isClosed());
    }

    // ---------------------------------------------------------------- delete

    /** lib/api/issues.rb {@code delete ":id/issues/:issue_iid"} (204, {@code authorize!(:destroy_issue)}). */
    @Test
    void deletedIssueAndItsSubResourcesAnswer404AndItsIidIsNotReused() throws Exception {
        SimUser owner = sim.addUser("olga", "Olga Owner");
        sim.addMember(project, owner, GitLabSimulator.OWNER);
        sim.createIssue(alice, project, "Reboot db-01", false, List.of("To do"));
        sim.comment(alice, project, 1, "Rebooted");
        sim.awaitWebhooksSent();
        int hooks = receiver.received().size();
        try (GitLabApi asOwner = new GitLabApi(sim.baseUrl(), owner.token())) {
            asOwner.getIssuesApi().deleteIssue(project.id(), 1L);
        }
        for (String sub : List.of("", "/notes", "/resource_label_events", "/resource_state_events")) {
            HttpResponse<String> r = send(bot, "GET", "/projects/" + project.id() + "/issues/1" + sub, null);
            assertEquals(404, r.statusCode(), sub);
            assertEquals("404 Not found", SimJson.MAPPER.readTree(r.body()).get("message").asText());
        }
        assertEquals(2L, sim.createIssue(alice, project, "Next").iid());
        sim.awaitWebhooksSent();
        assertEquals(hooks + 1, receiver.received().size(), "deleting sends no hook");
    }

    @Test
    void onlyOwnersAndPlannersMayDelete() {
        sim.setEnforceAuthorization(true);
        sim.createIssue(alice, project, "Reboot db-01");
        try (GitLabApi asMaintainer = new GitLabApi(sim.baseUrl(), bob.token())) {
            GitLabApiException e = assertThrows(GitLabApiException.class,
                    () -> asMaintainer.getIssuesApi().deleteIssue(project.id(), 1L));
            assertEquals(403, e.getHttpStatus());
            assertEquals("403 Forbidden", e.getMessage());
        }
        assertNull(sim.issue(project, 1).movedToId());
        assertEquals(1, sim.issues(project).size());
    }

    // ---------------------------------------------------------------- helpers

    private HttpResponse<String> put(SimUser user, long iid, String form) throws Exception {
        return send(user, "PUT", "/projects/" + project.id() + "/issues/" + iid, form);
    }

    private JsonNode getJson(SimUser user, String path) throws Exception {
        HttpResponse<String> r = send(user, "GET", path, null);
        assertEquals(200, r.statusCode(), r.body());
        return SimJson.MAPPER.readTree(r.body());
    }

    private HttpResponse<String> send(SimUser user, String method, String path, String form) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/v4" + path))
                .header("PRIVATE-TOKEN", user.token());
        if (form == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/x-www-form-urlencoded")
                    .method(method, HttpRequest.BodyPublishers.ofString(form));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
