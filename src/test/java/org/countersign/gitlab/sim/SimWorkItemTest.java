package org.countersign.gitlab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.models.Issue;
import org.gitlab4j.api.utils.JacksonJson;
import org.gitlab4j.api.webhook.Event;
import org.gitlab4j.api.webhook.IssueEvent;
import org.gitlab4j.api.webhook.NoteEvent;
import org.gitlab4j.api.webhook.WorkItemEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Work item types (issue, incident, task, test case...) over the REST API and in webhooks.
 *
 * <p>Sources (gitlabhq/gitlabhq): lib/api/entities/issue_basic.rb ({@code expose :issue_type, as: :type,
 * format_with: :upcase} and {@code expose :issue_type}); lib/api/issues.rb ({@code issue_type} filter, values
 * {@code unfiltered_base_types_for_issues}); app/finders/issues/issue_types_filter.rb (no filter = every type;
 * tasks are listed again since MR 126398); lib/gitlab/data_builder/issuable.rb ({@code object_kind} is the Ruby
 * class, {@code work_item} except for WorkItems of type Issue, MR 180959 / issue #517947; {@code event_type} never
 * names the type, issue #535890); lib/gitlab/hook_data/issue_builder.rb ({@code type: work_item_type.name});
 * lib/gitlab/data_builder/note.rb and WorkItem &lt; Issue (notes on any work item have {@code noteable_type: Issue}
 * and an {@code issue} object); docs: doc/user/project/integrations/webhook_events.md "Work item events".
 */
class SimWorkItemTest {

    private GitLabSimulator sim;
    private SimClock clock;
    private TestWebhookReceiver receiver;
    private SimProject project;
    private SimUser alice;
    private SimUser bob;
    private SimUser bot;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        sim = GitLabSimulator.start();
        clock = new SimClock(Instant.parse("2026-11-25T09:00:00.000Z"));
        sim.setClock(clock);
        receiver = new TestWebhookReceiver();
        alice = sim.addUser("alice", "Alice Operator");
        bob = sim.addUser("bob", "Bob Engineer");
        bot = sim.addUser("countersign-bot", "Countersign");
        project = sim.createProject("infra/interventions");
        for (SimUser u : List.of(alice, bob, bot)) {
            sim.addMember(project, u, GitLabSimulator.DEVELOPER);
        }
        sim.addWebhook(project, receiver.url(), "s3cret");
    }

    @AfterEach
    void tearDown() {
        sim.close();
        receiver.close();
    }

    @Test
    void restShowsTypeUpcasedAndIssueTypeLowercase() throws Exception {
        sim.createIssue(alice, project, "Plain issue");
        sim.createWorkItem(alice, project, "Database down", "incident");
        sim.createWorkItem(alice, project, "Check backups", "task");
        sim.createWorkItem(alice, project, "Failover works", "test_case");
        try (GitLabApi api = new GitLabApi(sim.baseUrl(), bot.token())) {
            Issue incident = api.getIssuesApi().getIssue(project.id(), 2L);
            assertEquals("incident", incident.getIssueType());
        }
        JsonNode task = get("/projects/" + project.id() + "/issues/3");
        assertEquals("TASK", task.get("type").asText());
        assertEquals("task", task.get("issue_type").asText());
        JsonNode testCase = get("/projects/" + project.id() + "/issues/4");
        assertEquals("TEST_CASE", testCase.get("type").asText());
        JsonNode issue = get("/projects/" + project.id() + "/issues/1");
        assertEquals("ISSUE", issue.get("type").asText());
        assertEquals("issue", issue.get("issue_type").asText());
    }

    @Test
    void listingReturnsEveryTypeUnlessIssueTypeFilters() throws Exception {
        sim.createIssue(alice, project, "Plain issue");
        sim.createWorkItem(alice, project, "Database down", "incident");
        sim.createWorkItem(alice, project, "Check backups", "task");
        JsonNode all = get("/projects/" + project.id() + "/issues");
        assertEquals(3, all.size(), "tasks and incidents are listed by default");
        JsonNode tasks = get("/projects/" + project.id() + "/issues?issue_type=task");
        assertEquals(1, tasks.size());
        assertEquals(3, tasks.get(0).get("iid").asInt());
        HttpResponse<String> bad = send("/projects/" + project.id() + "/issues?issue_type=epic");
        assertEquals(400, bad.statusCode());
        assertEquals("issue_type does not have a valid value", SimJson.MAPPER.readTree(bad.body()).get("error")
                .asText());
    }

    @Test
    void workItemUiSendsWorkItemKindButTheRestApiSendsIssue() throws Exception {
        sim.createWorkItem(alice, project, "Check backups", "task"); // #1, work item UI
        sim.createWorkItem(alice, project, "Database down", "incident"); // #2, work item UI
        sim.createWorkItem(alice, project, "Typed as issue", "issue"); // #3: WorkItem of type Issue says issue
        sim.close(bob, project, 1); // UI again: work_item
        try (GitLabApi api = new GitLabApi(sim.baseUrl(), bot.token())) {
            api.getIssuesApi().closeIssue(project.id(), 2L); // REST loads an Issue object: object_kind issue
        }
        sim.awaitWebhooksSent();
        List<TestWebhookReceiver.Received> got = receiver.received();
        assertEquals(5, got.size());
        for (TestWebhookReceiver.Received r : got) {
            assertEquals("Issue Hook", r.header("X-Gitlab-Event"), "no separate header for work items");
        }
        JsonNode taskOpen = tree(got.get(0).body());
        assertEquals("work_item", taskOpen.get("object_kind").asText());
        assertEquals("work_item", taskOpen.get("event_type").asText());
        assertEquals("Task", taskOpen.at("/object_attributes/type").asText());
        assertEquals("open", taskOpen.at("/object_attributes/action").asText());
        assertEquals("work_item", tree(got.get(1).body()).get("object_kind").asText(), "incident via work item UI");
        assertEquals("Incident", tree(got.get(1).body()).at("/object_attributes/type").asText());
        assertEquals("issue", tree(got.get(2).body()).get("object_kind").asText(), "MR 180959");
        JsonNode taskClose = tree(got.get(3).body());
        assertEquals("work_item", taskClose.get("object_kind").asText());
        assertEquals("close", taskClose.at("/object_attributes/action").asText());
        JsonNode incidentRest = tree(got.get(4).body());
        assertEquals("issue", incidentRest.get("object_kind").asText());
        assertEquals("Incident", incidentRest.at("/object_attributes/type").asText());

        // GitLab4J 6.2.0 dispatches on object_kind: work_item bodies are not IssueEvents.
        JacksonJson json = new JacksonJson();
        WorkItemEvent workItem = assertInstanceOf(WorkItemEvent.class, json.unmarshal(Event.class, got.get(0).body()));
        assertEquals("Task", workItem.getObjectAttributes().getType());
        assertEquals(1L, workItem.getObjectAttributes().getIid());
        assertInstanceOf(IssueEvent.class, json.unmarshal(Event.class, got.get(4).body()));
    }

    @Test
    void confidentialWorkItemSaysConfidentialWorkItem() throws Exception {
        sim.createWorkItem(alice, project, "Rotate secrets", "task", true, List.of());
        sim.awaitWebhooksSent();
        TestWebhookReceiver.Received r = receiver.received().get(0);
        assertEquals("Confidential Issue Hook", r.header("X-Gitlab-Event"));
        assertEquals("confidential_work_item", tree(r.body()).get("event_type").asText());
    }

    @Test
    void noteHookOnATaskCarriesTheTaskAsIssue() throws Exception {
        sim.createWorkItem(alice, project, "Check backups", "task");
        sim.comment(bob, project, 1, "/signoff done");
        sim.awaitWebhooksSent();
        TestWebhookReceiver.Received r = receiver.received().get(1);
        assertEquals("Note Hook", r.header("X-Gitlab-Event"));
        JsonNode body = tree(r.body());
        assertEquals("note", body.get("object_kind").asText());
        assertEquals("Issue", body.at("/object_attributes/noteable_type").asText());
        assertEquals("Task", body.at("/issue/type").asText());
        assertFalse(body.has("work_item"));
        NoteEvent note = assertInstanceOf(NoteEvent.class, new JacksonJson().unmarshal(Event.class, r.body()));
        assertEquals(1L, note.getIssue().getIid());
        assertTrue(note.getObjectAttributes().getNote().startsWith("/signoff"));
    }

    /**
     * The work item hook is built by the same IssueBuilder as an issue's, so it must cover the documented Issue
     * Hook example (doc/user/project/integrations/webhook_events.md "Work item events"); the REST entity of an
     * incident covers the documented issue (doc/api/issues.md). Escalation fields are sent only when an
     * incident has an escalation status, {@code assignee} no longer at all (as in SimShapeTest).
     */
    @Test
    void workItemPayloadsKeepGitLabsIssueShape() throws Exception {
        sim.createWorkItem(alice, project, "Database down", "incident", false, List.of("To do"), bob);
        clock.advance(java.time.Duration.ofMinutes(1));
        sim.moveToList(bob, project, 1, "To do", "To validate");
        sim.awaitWebhooksSent();
        JsonNode update = tree(receiver.received().get(1).body());
        assertEquals("work_item", update.get("object_kind").asText());
        JsonNode fixture = tree(fixture("issue-hook.json"));
        List<String> problems = JsonShape.mismatches(fixture, update, new JsonShape.Rules(
                java.util.Set.of("object_attributes.escalation_status", "object_attributes.escalation_policy",
                        "assignee"),
                java.util.Set.of("group_id", "health_status", "weight"), java.util.Set.of()));
        assertTrue(problems.isEmpty(), String.join("\n", problems));

        JsonNode rest = get("/projects/" + project.id() + "/issues/1");
        List<String> restProblems = JsonShape.mismatches(tree(fixture("api-issue.json")), rest,
                new JsonShape.Rules(java.util.Set.of(), java.util.Set.of("milestone", "due_date"), java.util.Set.of()));
        assertTrue(restProblems.isEmpty(), String.join("\n", restProblems));
    }

    private static String fixture(String name) throws Exception {
        try (java.io.InputStream in = SimWorkItemTest.class.getResourceAsStream("/gitlab-fixtures/" + name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send(path);
        assertEquals(200, r.statusCode(), r.body());
        return SimJson.MAPPER.readTree(r.body());
    }

    private HttpResponse<String> send(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/v4" + path))
                .header("PRIVATE-TOKEN", bot.token()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode tree(String json) throws Exception {
        return SimJson.MAPPER.readTree(json);
    }
}
