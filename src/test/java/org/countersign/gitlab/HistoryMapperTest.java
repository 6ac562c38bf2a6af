package org.countersign.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.countersign.policy.Comment;
import org.countersign.policy.LabelChange;
import org.countersign.policy.SignerFacts;
import org.countersign.policy.StateChange;
import org.countersign.policy.TicketHistory;
import org.countersign.policy.UserRef;
import org.gitlab4j.api.models.Issue;
import org.gitlab4j.api.models.IssueEvent;
import org.gitlab4j.api.models.LabelEvent;
import org.gitlab4j.api.models.Note;
import org.gitlab4j.models.utils.JacksonJson;
import org.junit.jupiter.api.Test;

/**
 * The GitLab4J-to-policy mapping against GitLab's own documented responses
 * (src/test/resources/gitlab-fixtures, copied from doc/api/*.md; SOURCES.md says from where), read by
 * GitLab4J exactly as production reads them.
 */
class HistoryMapperTest {

    private static final JacksonJson JSON = new JacksonJson();

    private static String fixture(String name) throws IOException {
        try (InputStream in = HistoryMapperTest.class.getResourceAsStream("/gitlab-fixtures/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void labelEventsFromTheDocumentedResponse() throws IOException {
        List<LabelEvent> events = JSON.unmarshalList(LabelEvent.class, fixture("api-resource-label-events.json"));
        List<LabelChange> changes = events.stream().map(HistoryMapper::labelChange).flatMap(Optional::stream).toList();
        assertEquals(List.of(
                new LabelChange(142, Instant.parse("2018-08-20T13:38:20.077Z"), Optional.of(new UserRef(1, "root")), "a1", true),
                new LabelChange(143, Instant.parse("2018-08-20T13:38:20.077Z"), Optional.of(new UserRef(1, "root")), "p1", false)),
                changes);
    }

    /** resource_label_event.rb keeps events of deleted labels; the API then renders {@code "label": null}. */
    @Test
    void anEventOfADeletedLabelIsNoLabelChangeAndBreaksNothing() throws IOException {
        ArrayNode events = (ArrayNode) JSON.readTree(fixture("api-resource-label-events.json"));
        ((ObjectNode) events.get(0)).putNull("label");
        List<LabelEvent> parsed = JSON.unmarshalList(LabelEvent.class, events.toString());
        List<LabelChange> changes = parsed.stream().map(HistoryMapper::labelChange).flatMap(Optional::stream).toList();
        assertEquals(1, changes.size());
        assertEquals("p1", changes.get(0).label());
    }

    @Test
    void stateEventsFromTheDocumentedResponse() throws IOException {
        List<IssueEvent> events = JSON.unmarshalList(IssueEvent.class, fixture("api-resource-state-events.json"));
        List<StateChange> changes = events.stream().map(HistoryMapper::stateChange).flatMap(Optional::stream).toList();
        assertEquals(List.of(StateChange.Kind.OPENED, StateChange.Kind.CLOSED), changes.stream().map(StateChange::kind).toList());
        assertEquals(Instant.parse("2018-08-21T14:38:20.077Z"), changes.get(1).at());
        assertEquals(Optional.of(new UserRef(1, "root")), changes.get(1).by());
    }

    @Test
    void notesKeepTheirEditTimeAndInternalFlag() throws IOException {
        List<Note> notes = JSON.unmarshalList(Note.class, fixture("api-notes.json"));
        List<Comment> comments = notes.stream().map(HistoryMapper::comment).toList();
        Comment system = comments.get(0);
        assertTrue(system.system());
        assertTrue(system.edited(), "the documented system note has updated_at an hour after created_at");
        Comment text = comments.get(1);
        assertEquals(Instant.parse("2013-10-02T09:56:03Z"), text.at());
        assertFalse(text.edited());
        assertEquals(Optional.of(new UserRef(1, "pipin")), text.by());
        assertEquals(notes.get(1).getInternal(), text.internal());
    }

    @Test
    void aClosedIssueFromTheDocumentedResponse() throws IOException {
        Issue issue = JSON.unmarshal(Issue.class, fixture("api-issue-closed.json"));
        TicketHistory h = HistoryMapper.history(4, 15, new IssueResourceApi.IssueSnapshot(issue, Optional.empty()),
                List.of(), List.of(), List.of(), Map.of());
        assertTrue(h.closed());
        assertEquals("issue", h.type(), "no issue_type in the example: GitLab's default type");
        assertEquals(Optional.of(Instant.parse("2016-01-08T12:55:16.213Z")), h.closedAt());
        assertEquals(Optional.of("root"), h.closedBy().map(UserRef::username));
        assertEquals("eileen.lowe", h.author().username());
        assertEquals(java.util.Set.of("bug"), h.labels());
        assertEquals(Optional.empty(), h.movedToId());
    }

    @Test
    void movedIssuesAndIssueTypesAreRead() throws IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(fixture("api-issue-closed.json"));
        json.put("moved_to_id", 9001).put("issue_type", "incident");
        Issue issue = JSON.unmarshal(Issue.class, json.toString());
        TicketHistory h = HistoryMapper.history(4, 15, new IssueResourceApi.IssueSnapshot(issue,
                Optional.of(json.get("moved_to_id").asLong())), List.of(), List.of(), List.of(), Map.of());
        assertEquals(Optional.of(9001L), h.movedToId());
        assertEquals("incident", h.type());
    }

    /** User#bot? (app/models/user.rb): access-token bots and service accounts; Users::Internal.ghost is "ghost". */
    @Test
    void accountKinds() {
        assertEquals(SignerFacts.Account.PERSON, HistoryMapper.account(false, "carol"));
        assertEquals(SignerFacts.Account.BOT, HistoryMapper.account(true, "project_12_bot_5f1e0c3a7b2d4e6f"));
        assertEquals(SignerFacts.Account.BOT, HistoryMapper.account(false, "group_7_bot_0a1b2c3d"),
                "the username alone gives an access-token bot away when the bot flag is not readable");
        assertEquals(SignerFacts.Account.SERVICE_ACCOUNT, HistoryMapper.account(true, "service_account_group_7_2d3f"));
        assertEquals(SignerFacts.Account.GHOST, HistoryMapper.account(false, "ghost"));
    }

    @Test
    void nextPageFromHeaders() {
        assertEquals(Optional.of(3), IssueResourceApi.nextPage("3", null));
        assertEquals(Optional.empty(), IssueResourceApi.nextPage("", null));
        assertEquals(Optional.of(7), IssueResourceApi.nextPage(null,
                "<https://gitlab.example.org/api/v4/projects/1/issues/2/notes?page=7&per_page=100>; rel=\"next\", "
                        + "<https://gitlab.example.org/api/v4/projects/1/issues/2/notes?page=1&per_page=100>; rel=\"first\""));
        assertEquals(Optional.empty(), IssueResourceApi.nextPage(null,
                "<https://gitlab.example.org/api/v4/projects/1/issues/2/notes?page=1&per_page=100>; rel=\"first\""));
    }
}
