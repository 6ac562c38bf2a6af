package org.countersign.gitlab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.GitLabApiException;
import org.gitlab4j.api.models.AwardEmoji;
import org.gitlab4j.api.models.Note;
import org.gitlab4j.api.utils.JacksonJson;
import org.gitlab4j.api.webhook.Event;
import org.gitlab4j.api.webhook.NoteEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Editing, deleting and reacting to notes, and what moves {@code updated_at}, through GitLab4J over real HTTP.
 *
 * <p>Sources (gitlabhq/gitlabhq): {@code lib/api/notes.rb}, {@code lib/api/helpers/notes_helpers.rb}
 * ({@code update_note}, {@code delete_note}, {@code create_note}), {@code app/services/notes/update_service.rb},
 * {@code app/policies/note_policy.rb}, {@code app/policies/project_policy.rb} ({@code admin_note} for
 * maintainer_access, {@code set_note_created_at} for owners), {@code lib/api/entities/note.rb},
 * {@code lib/gitlab/data_builder/note.rb}, {@code lib/gitlab/hook_data/note_builder.rb},
 * {@code app/models/note.rb} ({@code after_save :touch_noteable}, {@code bump_updated_at}),
 * {@code app/models/concerns/throttled_touch.rb}, {@code app/models/award_emoji.rb}, {@code lib/api/award_emoji.rb}.
 */
class SimNoteEditTest {

    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00.000Z");
    private static final JacksonJson GITLAB4J_JSON = new JacksonJson();

    private GitLabSimulator sim;
    private TestWebhookReceiver receiver;
    private SimClock clock;
    private SimProject project;
    private SimUser alice; // Developer, author of the comments
    private SimUser dave; // Developer
    private SimUser bob; // Maintainer
    private SimUser olga; // Owner
    private SimTestHttp http;

    @BeforeEach
    void setUp() {
        sim = GitLabSimulator.start();
        receiver = new TestWebhookReceiver();
        clock = new SimClock(T0.minus(Duration.ofMinutes(10)));
        sim.setClock(clock);
        alice = sim.addUser("alice", "Alice Author");
        dave = sim.addUser("dave", "Dave Developer");
        bob = sim.addUser("bob", "Bob Maintainer");
        olga = sim.addUser("olga", "Olga Owner");
        project = sim.createProject("infra/interventions");
        sim.addMember(project, alice, GitLabSimulator.DEVELOPER);
        sim.addMember(project, dave, GitLabSimulator.DEVELOPER);
        sim.addMember(project, bob, GitLabSimulator.MAINTAINER);
        sim.addMember(project, olga, GitLabSimulator.OWNER);
        sim.addWebhook(project, receiver.url(), "s3cret");
        sim.createIssue(alice, project, "Reboot db-01"); // T0 - 10 min
        clock.set(T0);
        http = new SimTestHttp(sim);
    }

    @AfterEach
    void tearDown() {
        sim.close();
        receiver.close();
    }

    // notes_helpers.rb#update_note + Notes::UpdateService; entity lib/api/entities/note.rb has no editor fields.
    @Test
    void authorEditsOwnCommentUpdatedAtMovesCreatedAtStaysAndRestShowsNoEditor() throws Exception {
        long noteId = sim.comment(alice, project, 1, "/signoff looks good").id();
        clock.advance(Duration.ofMinutes(5));
        try (GitLabApi api = new GitLabApi(sim.baseUrl(), alice.token())) {
            Note edited = api.getNotesApi().updateIssueNote(project.id(), 1L, noteId, "/signoff looks good, checked logs");
            assertEquals("/signoff looks good, checked logs", edited.getBody());
            assertEquals(Date.from(T0), edited.getCreatedAt(), "created_at does not change");
            assertEquals(Date.from(T0.plus(Duration.ofMinutes(5))), edited.getUpdatedAt());
            assertEquals(alice.id(), edited.getAuthor().getId());
        }
        JsonNode rest = SimTestHttp.json(http.get(bob, "/projects/" + project.id() + "/issues/1/notes/" + noteId));
        for (String absent : List.of("last_edited_at", "last_edited_by", "updated_by", "updated_by_id")) {
            assertFalse(rest.has(absent), "API::Entities::Note exposes no " + absent);
        }
        assertEquals(alice, sim.noteEditor(sim.note(project, 1, noteId)));
    }

    // Notes::UpdateService#execute_note_webhook: DataBuilder::Note.build(note, note.author, :update).
    @Test
    void maintainerEditsSomeoneElsesCommentHookActionUpdateUserIsTheAuthor() throws Exception {
        long noteId = sim.comment(alice, project, 1, "/signoff ok").id();
        clock.advance(Duration.ofMinutes(3));
        try (GitLabApi api = new GitLabApi(sim.baseUrl(), bob.token())) {
            Note edited = api.getNotesApi().updateIssueNote(project.pathWithNamespace(), 1L, noteId, "(removed)");
            assertEquals(alice.id(), edited.getAuthor().getId(), "the author stays");
        }
        sim.awaitWebhooksSent();
        List<TestWebhookReceiver.Received> got = receiver.received();
        assertEquals(List.of("Issue Hook", "Note Hook", "Note Hook"), got.stream()
                .map(r -> r.header("X-Gitlab-Event")).toList());
        JsonNode create = tree(got.get(1).body());
        JsonNode update = tree(got.get(2).body());
        assertEquals("create", create.at("/object_attributes/action").asText());
        assertEquals("update", update.at("/object_attributes/action").asText());
        assertEquals(alice.id(), update.at("/user/id").asLong(), "hook user = note author, not the editor");
        assertEquals(bob.id(), update.at("/object_attributes/updated_by_id").asLong(), "the editor");
        assertTrue(create.at("/object_attributes/updated_by_id").isNull());
        assertEquals("(removed)", update.at("/object_attributes/note").asText());
        assertEquals("2026-11-25 10:00:00 UTC", update.at("/object_attributes/created_at").asText());
        assertEquals("2026-11-25 10:03:00 UTC", update.at("/object_attributes/updated_at").asText());
        NoteEvent parsed = (NoteEvent) GITLAB4J_JSON.unmarshal(Event.class, got.get(2).body());
        assertEquals("(removed)", parsed.getObjectAttributes().getNote(), "GitLab4J parses it (action unseen)");
        assertEquals(bob, sim.noteEditor(sim.note(project, 1, noteId)));
    }

    // NotePolicy: is_author -> admin_note; ProjectPolicy maintainer_access -> admin_note; ~editable for system.
    @Test
    void developersCannotEditOthersCommentsNobodyEditsSystemNotes() throws Exception {
        long noteId = sim.comment(alice, project, 1, "/signoff ok").id();
        long systemId = sim.systemNote(alice, project, 1, "changed the description").id();
        try (GitLabApi asDave = new GitLabApi(sim.baseUrl(), dave.token());
                GitLabApi asOwner = new GitLabApi(sim.baseUrl(), olga.token())) {
            assertEquals(403, assertThrows(GitLabApiException.class,
                    () -> asDave.getNotesApi().updateIssueNote(project.id(), 1L, noteId, "hijack")).getHttpStatus());
            assertEquals(403, assertThrows(GitLabApiException.class,
                    () -> asOwner.getNotesApi().updateIssueNote(project.id(), 1L, systemId, "x")).getHttpStatus());
            assertEquals(404, assertThrows(GitLabApiException.class,
                    () -> asOwner.getNotesApi().updateIssueNote(project.id(), 1L, 999L, "x")).getHttpStatus());
            assertEquals("hijack?", asOwner.getNotesApi().updateIssueNote(project.id(), 1L, noteId, "hijack?")
                    .getBody(), "Owners have maintainer_access");
        }
        assertThrows(SimForbiddenException.class, () -> sim.editNote(dave, project, 1, noteId, "x"));
        assertEquals("hijack?", sim.note(project, 1, noteId).body());
    }

    // UpdateService saves even an unchanged note: after_save touch_noteable runs, but no hook (no 'note' change).
    @Test
    void unchangedBodyFiresNoHookButStillTouchesTheIssue() throws Exception {
        long noteId = sim.comment(alice, project, 1, "same").id(); // T0: touches the issue (last change T0-10m)
        assertEquals(T0, sim.issue(project, 1).updatedAt());
        clock.advance(Duration.ofMinutes(2));
        HttpResponse<String> r = http.send(alice, "PUT", "/projects/" + project.id() + "/issues/1/notes/" + noteId,
                "body=same");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("2026-11-25T10:00:00.000Z", SimTestHttp.json(r).get("updated_at").asText());
        assertEquals(T0.plus(Duration.ofMinutes(2)), sim.issue(project, 1).updatedAt());
        sim.awaitWebhooksSent();
        assertEquals(2, receiver.received().size(), "open + create only");
    }

    // lib/api/notes.rb PUT: body allow_blank false; Note#ensure_confidentiality_not_changed.
    @Test
    void blankBodyAndConfidentialityChangeAreRejected() {
        long noteId = sim.comment(alice, project, 1, "public").id();
        String path = "/projects/" + project.id() + "/issues/1/notes/" + noteId;
        HttpResponse<String> blank = http.send(alice, "PUT", path, "body=");
        assertEquals(400, blank.statusCode());
        assertEquals("body is empty", SimTestHttp.json(blank).get("error").asText());
        HttpResponse<String> conf = http.send(alice, "PUT", path, "confidential=true");
        assertEquals(400, conf.statusCode());
        assertTrue(SimTestHttp.json(conf).get("message").asText().contains("can not be changed for existing notes"));
        assertFalse(sim.note(project, 1, noteId).internal());
    }

    // notes_helpers.rb#delete_note: admin_note, destroy -> 204; Note touches only after_save; no note hook.
    @Test
    void deleteNoteAnswers204DoesNotTouchIssueAndFiresNothing() throws Exception {
        long noteId = sim.comment(alice, project, 1, "/signoff").id();
        long bobs = sim.comment(bob, project, 1, "mine").id();
        Instant issueUpdated = sim.issue(project, 1).updatedAt();
        clock.advance(Duration.ofMinutes(5));
        try (GitLabApi asBob = new GitLabApi(sim.baseUrl(), bob.token());
                GitLabApi asDave = new GitLabApi(sim.baseUrl(), dave.token())) {
            asBob.getNotesApi().deleteIssueNote(project.id(), 1L, noteId);
            assertEquals(403, assertThrows(GitLabApiException.class,
                    () -> asDave.getNotesApi().deleteIssueNote(project.id(), 1L, bobs)).getHttpStatus());
            assertEquals(List.of("mine"), asBob.getNotesApi().getIssueNotes(project.id(), 1L).stream()
                    .map(Note::getBody).toList());
        }
        assertEquals(issueUpdated, sim.issue(project, 1).updatedAt(), "deleting does not touch the issue");
        assertEquals(1, sim.issue(project, 1).userNotesCount());
        sim.awaitWebhooksSent();
        assertEquals(3, receiver.received().size(), "open + 2 creates, nothing for the delete");
        HttpResponse<String> again = http.send(bob, "DELETE", "/projects/" + project.id() + "/issues/1/notes/"
                + noteId, null);
        assertEquals(404, again.statusCode());
    }

    // AwardEmoji after_save/after_destroy :expire_cache -> Note#bump_updated_at (update_columns, no touch).
    @Test
    void emojiReactionMovesTheNotesUpdatedAtButNotTheIssues() throws Exception {
        long noteId = sim.comment(alice, project, 1, "/signoff").id();
        Instant issueUpdated = sim.issue(project, 1).updatedAt();
        clock.advance(Duration.ofMinutes(7));
        try (GitLabApi asDave = new GitLabApi(sim.baseUrl(), dave.token());
                GitLabApi asBob = new GitLabApi(sim.baseUrl(), bob.token())) {
            AwardEmoji award = asDave.getAwardEmojiApi().addIssueNoteAwardEmoji(project.id(), 1L, noteId, "thumbsup");
            assertEquals("thumbsup", award.getName());
            assertEquals(dave.id(), award.getUser().getId());
            Note note = asDave.getNotesApi().getIssueNote(project.id(), 1L, noteId);
            assertEquals(Date.from(T0), note.getCreatedAt());
            assertEquals(Date.from(T0.plus(Duration.ofMinutes(7))), note.getUpdatedAt(),
                    "a reaction is not an edit, but updated_at moves");
            assertEquals("/signoff", note.getBody());
            assertNull(sim.noteEditor(sim.note(project, 1, noteId)), "no updated_by_id");
            assertEquals(issueUpdated, sim.issue(project, 1).updatedAt());

            clock.advance(Duration.ofSeconds(10)); // not throttled: any later second moves it again
            assertEquals(401, assertThrows(GitLabApiException.class, () -> asBob.getAwardEmojiApi()
                    .deleteIssueNoteAwardEmoji(project.id(), 1L, noteId, award.getId())).getHttpStatus());
            asDave.getAwardEmojiApi().deleteIssueNoteAwardEmoji(project.id(), 1L, noteId, award.getId());
            assertEquals(Date.from(T0.plus(Duration.ofMinutes(7)).plusSeconds(10)),
                    asDave.getNotesApi().getIssueNote(project.id(), 1L, noteId).getUpdatedAt());
        }
        assertEquals(List.of(), sim.awards(sim.note(project, 1, noteId)));
    }

    // notes_helpers.rb#create_note: created_at kept only with set_note_created_at (owner), updated_at = created_at.
    @Test
    void ownersMayBackdateNotesOthersAreSilentlyIgnored() throws Exception {
        Date past = Date.from(Instant.parse("2026-11-01T08:00:00Z"));
        try (GitLabApi asOwner = new GitLabApi(sim.baseUrl(), olga.token());
                GitLabApi asBob = new GitLabApi(sim.baseUrl(), bob.token())) {
            Note backdated = asOwner.getNotesApi().createIssueNote(project.id(), 1L, "imported", past, false);
            assertEquals(past, backdated.getCreatedAt());
            assertEquals(past, backdated.getUpdatedAt(), "updated_at = created_at");
            Note maintainers = asBob.getNotesApi().createIssueNote(project.id(), 1L, "not imported", past, false);
            assertEquals(Date.from(T0), maintainers.getCreatedAt(), "maintainers cannot set created_at");
        }
        assertEquals(T0, sim.issue(project, 1).updatedAt(), "the issue is touched with the real time");
        assertEquals(List.of("imported", "not imported"), sim.notes(project, 1).stream().map(SimNote::body).toList());
        sim.awaitWebhooksSent();
        JsonNode hook = tree(receiver.received().get(1).body());
        assertEquals("2026-11-01 08:00:00 UTC", hook.at("/object_attributes/created_at").asText());
    }

    // Noteable::MAX_NOTES_LIMIT = 5_000 (all notes counted, validated on create of non-system notes).
    @Test
    void aSixThousandthCommentIsRefused() {
        for (int i = 0; i < SimState.MAX_NOTES_LIMIT; i++) {
            sim.systemNote(alice, project, 1, "changed the description");
        }
        HttpResponse<String> r = http.send(alice, "POST", "/projects/" + project.id() + "/issues/1/notes", "body=hi");
        assertEquals(400, r.statusCode());
        assertEquals("400 Bad request - Note {:base=>[\"Maximum number of comments exceeded\"]}",
                SimTestHttp.json(r).get("message").asText());
    }

    // The update payload is the create payload (DataBuilder::Note) with action "update": documented shapes hold.
    @Test
    void editedNotesAndUpdateHooksKeepTheDocumentedShapesInternalOnesGoToConfidentialHooks() throws Exception {
        sim.addLabels(alice, project, 1, "To validate"); // the fixture's issue has labels
        long plain = sim.comment(alice, project, 1, "plain").id();
        long internal = sim.internalComment(alice, project, 1, "internal").id();
        clock.advance(Duration.ofMinutes(2));
        sim.editNote(alice, project, 1, plain, "plain, edited");
        sim.editNote(bob, project, 1, internal, "internal, edited");
        sim.awaitWebhooksSent();
        List<TestWebhookReceiver.Received> got = receiver.received();
        assertEquals(List.of("Issue Hook", "Issue Hook", "Note Hook", "Confidential Note Hook", "Note Hook",
                "Confidential Note Hook"), got.stream().map(r -> r.header("X-Gitlab-Event")).toList());
        JsonNode plainHook = tree(got.get(4).body());
        JsonNode internalHook = tree(got.get(5).body());
        JsonShape.Rules hookRules = new JsonShape.Rules(Set.of(), Set.of("group_id", "health_status", "weight"),
                Set.of());
        assertEquals(List.of(), JsonShape.mismatches(fixture("note-hook-issue.json"), plainHook, hookRules));
        assertEquals(List.of(), JsonShape.mismatches(fixture("note-hook-issue.json"), internalHook, hookRules));
        assertEquals("confidential_note", internalHook.get("event_type").asText());
        assertEquals("update", internalHook.at("/object_attributes/action").asText());
        assertTrue(internalHook.at("/object_attributes/internal").asBoolean());
        JsonNode notes = SimTestHttp.json(http.get(bob, "/projects/" + project.id() + "/issues/1/notes"));
        assertEquals(List.of(), JsonShape.mismatches(fixture("api-notes.json"), notes, JsonShape.Rules.strict()));
    }

    private static JsonNode fixture(String name) throws Exception {
        try (java.io.InputStream in = SimNoteEditTest.class.getResourceAsStream("/gitlab-fixtures/" + name)) {
            return SimJson.MAPPER.readTree(in);
        }
    }

    private static JsonNode tree(String body) throws Exception {
        return SimJson.MAPPER.readTree(body);
    }
}
