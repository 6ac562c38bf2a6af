package org.countersign.gitlab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.models.BoardList;
import org.gitlab4j.api.models.Issue;
import org.gitlab4j.api.models.LabelEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Renamed and deleted project labels.
 *
 * <p>Sources (gitlabhq/gitlabhq): {@code app/models/resource_label_event.rb} ({@code belongs_to :label};
 * "label_id could be nullified on label delete"), {@code app/policies/resource_label_event_policy.rb}
 * ({@code label_id.nil? ||}: such events stay readable), {@code lib/api/entities/resource_label_event.rb}
 * ({@code expose :label, using: LabelBasic}: null), {@code app/models/label.rb} ({@code has_many :label_links,
 * dependent: :destroy}, {@code has_many :lists, dependent: :destroy}), {@code app/models/label_link.rb} (no
 * {@code touch}), {@code app/services/labels/destroy_service.rb}.
 */
class SimLabelLifecycleTest {

    private static final Instant T0 = Instant.parse("2026-11-25T14:00:00.000Z");

    private GitLabSimulator sim;
    private TestWebhookReceiver receiver;
    private SimClock clock;
    private SimProject project;
    private SimUser alice;
    private GitLabApi api;

    @BeforeEach
    void setUp() {
        sim = GitLabSimulator.start();
        receiver = new TestWebhookReceiver();
        clock = new SimClock(T0);
        sim.setClock(clock);
        alice = sim.addUser("alice", "Alice");
        project = sim.createProject("infra/interventions");
        sim.addMember(project, alice, GitLabSimulator.DEVELOPER);
        sim.createBoard(project, "Interventions", "To do", "To validate", "Validated");
        sim.addWebhook(project, receiver.url(), "s3cret");
        sim.createIssue(alice, project, "Reboot db-01", false, List.of("To do", "database"));
        clock.advance(Duration.ofMinutes(1));
        sim.moveToList(alice, project, 1, "To do", "To validate");
        api = new GitLabApi(sim.baseUrl(), alice.token());
    }

    @AfterEach
    void tearDown() {
        api.close();
        sim.close();
        receiver.close();
    }

    @Test
    void renamedLabelShowsItsNewNameEverywhereIncludingPastEvents() throws Exception {
        sim.awaitWebhooksSent();
        int hooksBefore = receiver.received().size();
        clock.advance(Duration.ofMinutes(5));
        SimLabel renamed = sim.renameLabel(project, "To validate", "Review");

        List<LabelEvent> events = api.getResourceLabelEventsApi().getIssueLabelEvents(project.id(), 1L);
        assertEquals(List.of("To do", "database", "Review", "To do"),
                events.stream().map(e -> e.getLabel().getName()).toList(), "events reference label_id");
        assertEquals(renamed.id(), events.get(2).getLabel().getId());
        Issue issue = api.getIssuesApi().getIssue(project.id(), 1L);
        assertEquals(List.of("Review", "database"), issue.getLabels());
        assertEquals(T0.plus(Duration.ofMinutes(1)), issue.getUpdatedAt().toInstant(), "no touch");
        List<BoardList> lists = api.getBoardsApi().getBoardLists(project.id(),
                api.getBoardsApi().getBoards(project.id()).get(0).getId());
        assertEquals(List.of("To do", "Review", "Validated"), lists.stream().map(l -> l.getLabel().getName()).toList());
        sim.awaitWebhooksSent();
        assertEquals(hooksBefore, receiver.received().size(), "no webhook for a rename");
    }

    @Test
    void deletedLabelLeavesEventsWithNullLabelAndSilentlyLeavesIssuesAndBoards() throws Exception {
        sim.awaitWebhooksSent();
        int hooksBefore = receiver.received().size();
        clock.advance(Duration.ofMinutes(5));
        sim.deleteLabel(project, "To validate");

        JsonNode raw = SimTestHttp.json(new SimTestHttp(sim).get(alice, "/projects/" + project.id()
                + "/issues/1/resource_label_events"));
        assertEquals(4, raw.size(), "the events stay");
        assertTrue(raw.get(2).get("label").isNull(), "\"label\": null for the deleted one: " + raw.get(2));
        assertEquals("add", raw.get(2).get("action").asText());
        List<LabelEvent> events = api.getResourceLabelEventsApi().getIssueLabelEvents(project.id(), 1L);
        assertNull(events.get(2).getLabel(), "GitLab4J gives a null label");
        assertEquals("To do", events.get(3).getLabel().getName());

        Issue issue = api.getIssuesApi().getIssue(project.id(), 1L);
        assertEquals(List.of("database"), issue.getLabels(), "label_links destroyed");
        assertEquals(T0.plus(Duration.ofMinutes(1)), issue.getUpdatedAt().toInstant(), "updated_at unchanged");
        assertEquals(4, sim.labelEvents(project, 1).size(), "no remove event recorded");
        List<BoardList> lists = api.getBoardsApi().getBoardLists(project.id(),
                api.getBoardsApi().getBoards(project.id()).get(0).getId());
        assertEquals(List.of("To do", "Validated"), lists.stream().map(l -> l.getLabel().getName()).toList(),
                "has_many :lists, dependent: :destroy");
        sim.awaitWebhooksSent();
        assertEquals(hooksBefore, receiver.received().size(), "no webhook");

        // A new label with the old name is another label: old events stay null.
        sim.addLabels(alice, project, 1, "To validate");
        List<LabelEvent> after = api.getResourceLabelEventsApi().getIssueLabelEvents(project.id(), 1L);
        assertNull(after.get(2).getLabel());
        assertEquals("To validate", after.get(4).getLabel().getName());
    }
}
