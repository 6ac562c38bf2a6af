package org.countersign.gitlab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.utils.JacksonJson;
import org.gitlab4j.api.webhook.Event;
import org.gitlab4j.api.webhook.IssueEvent;
import org.gitlab4j.api.webhook.NoteEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhook delivery as GitLab does it, received by a real HTTP endpoint. */
class SimWebhookTest {

    private static final Instant T0 = Instant.parse("2026-11-25T09:00:00.000Z");

    private GitLabSimulator sim;
    private TestWebhookReceiver receiver;
    private SimClock clock;
    private SimProject project;
    private SimUser alice;
    private SimUser bob;
    private SimWebhook hook;

    @BeforeEach
    void setUp() {
        sim = GitLabSimulator.start();
        receiver = new TestWebhookReceiver();
        clock = new SimClock(T0);
        sim.setClock(clock);
        alice = sim.addUser("alice", "Alice Operator");
        bob = sim.addUser("bob", "Bob Engineer");
        project = sim.createProject("infra/interventions");
        sim.createBoard(project, "Interventions", "To do", "To validate", "Validated");
        hook = sim.addWebhook(project, receiver.url(), "s3cret");
    }

    @AfterEach
    void tearDown() {
        sim.close();
        receiver.close();
    }

    @Test
    void issueHookHeadersAndBody() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01", bob);
        sim.awaitWebhooksSent();
        List<TestWebhookReceiver.Received> got = receiver.received();
        assertEquals(1, got.size());
        TestWebhookReceiver.Received r = got.get(0);
        assertEquals("application/json", r.header("Content-Type"));
        assertEquals("GitLab/18.5.0", r.header("User-Agent"));
        assertEquals("Issue Hook", r.header("X-Gitlab-Event"));
        assertEquals("s3cret", r.header("X-Gitlab-Token"));
        assertEquals(sim.baseUrl(), r.header("X-Gitlab-Instance"));
        for (String uuidHeader : List.of("X-Gitlab-Event-UUID", "X-Gitlab-Webhook-UUID", "Idempotency-Key")) {
            assertEquals(36, r.header(uuidHeader).length(), uuidHeader);
        }
        IssueEvent event = parse(r.body(), IssueEvent.class);
        assertEquals("open", event.getObjectAttributes().getAction());
        assertEquals(alice.id(), event.getUser().getId());
        assertEquals("infra/interventions", event.getProject().getPathWithNamespace());
        assertEquals(List.of(bob.id()), event.getObjectAttributes().getAssigneeIds());

        WebhookDelivery d = sim.webhookDeliveries().get(0);
        assertEquals(WebhookDelivery.Outcome.DELIVERED, d.outcome());
        assertEquals(200, d.responseStatus());
        assertEquals(receiver.url(), d.url());
        assertEquals(r.header("Idempotency-Key"), d.idempotencyKey());
    }

    @Test
    void confidentialVariantsOfEventNames() throws Exception {
        sim.createIssue(alice, project, "Public");
        sim.createIssue(alice, project, "Secret", true, List.of());
        sim.comment(bob, project, 1, "public comment");
        sim.internalComment(bob, project, 1, "internal note");
        sim.comment(bob, project, 2, "comment on a confidential issue");
        sim.awaitWebhooksSent();
        assertEquals(List.of("Issue Hook", "Confidential Issue Hook", "Note Hook", "Confidential Note Hook",
                "Confidential Note Hook"), events());
        JsonNode secret = SimJson.MAPPER.readTree(receiver.received().get(1).body());
        assertEquals("issue", secret.get("object_kind").asText());
        assertEquals("confidential_issue", secret.get("event_type").asText());
        JsonNode internal = SimJson.MAPPER.readTree(receiver.received().get(3).body());
        assertEquals("confidential_note", internal.get("event_type").asText());
        assertTrue(internal.at("/object_attributes/internal").asBoolean());
        NoteEvent note = parse(receiver.received().get(2).body(), NoteEvent.class);
        assertEquals("public comment", note.getObjectAttributes().getNote());
        assertEquals(bob.id(), note.getUser().getId());
    }

    @Test
    void moveBetweenListsIsOneUpdateWithLabelChanges() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01", false, List.of("To do"));
        clock.advance(Duration.ofMinutes(2));
        sim.moveToList(bob, project, 1, "To do", "To validate");
        sim.awaitWebhooksSent();
        assertEquals(List.of("Issue Hook", "Issue Hook"), events());
        IssueEvent event = parse(receiver.received().get(1).body(), IssueEvent.class);
        assertEquals("update", event.getObjectAttributes().getAction());
        assertEquals(bob.id(), event.getUser().getId());
        assertEquals(List.of("To do"), titles(event.getChanges().getLabels().getPrevious()));
        assertEquals(List.of("To validate"), titles(event.getChanges().getLabels().getCurrent()));

        List<SimLabelEvent> labelEvents = sim.labelEvents(project, 1);
        assertEquals(3, labelEvents.size());
        assertEquals("add", labelEvents.get(1).action());
        assertEquals("To validate", labelEvents.get(1).label().name());
        assertEquals("remove", labelEvents.get(2).action());
        assertEquals("To do", labelEvents.get(2).label().name());
        assertEquals(labelEvents.get(1).createdAt(), labelEvents.get(2).createdAt());
        assertEquals(T0.plus(Duration.ofMinutes(2)), sim.issue(project, 1).updatedAt());
    }

    @Test
    void dragToClosedSendsOneCloseHookWithLabelAndStateChanges() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01", false, List.of("Validated", "database"));
        clock.advance(Duration.ofMinutes(5));
        sim.dragToClosed(bob, project, 1);
        sim.awaitWebhooksSent();
        assertEquals(2, receiver.received().size(), "open + exactly one close");
        IssueEvent event = parse(receiver.received().get(1).body(), IssueEvent.class);
        assertEquals("close", event.getObjectAttributes().getAction());
        assertEquals("closed", event.getObjectAttributes().getState());
        assertEquals(List.of("Validated", "database"), titles(event.getChanges().getLabels().getPrevious()));
        assertEquals(List.of("database"), titles(event.getChanges().getLabels().getCurrent()));
        assertEquals(1, (Integer) event.getChanges().get("state_id").getPrevious());
        assertEquals(2, (Integer) event.getChanges().get("state_id").getCurrent());
        assertNotNull(event.getChanges().get("closed_at").getCurrent());

        SimIssue issue = sim.issue(project, 1);
        assertEquals(List.of("database"), issue.labels());
        assertEquals(bob.id(), issue.closedById());
        SimLabelEvent removed = sim.labelEvents(project, 1).get(2);
        assertEquals("remove", removed.action());
        assertEquals("Validated", removed.label().name());
        SimStateEvent closed = sim.stateEvents(project, 1).get(0);
        assertEquals("closed", closed.state());
        assertEquals(removed.createdAt(), closed.createdAt(), "same update, same timestamp");
        assertEquals(T0.plus(Duration.ofMinutes(5)), closed.createdAt());
    }

    @Test
    void closeButtonKeepsLabelsAndReopenFiresReopen() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01", false, List.of("To validate"));
        sim.close(bob, project, 1);
        sim.close(bob, project, 1); // no-op: GitLab fires nothing
        sim.reopen(alice, project, 1);
        sim.awaitWebhooksSent();
        List<String> actions = receiver.received().stream()
                .map(r -> tree(r.body()).at("/object_attributes/action").asText()).toList();
        assertEquals(List.of("open", "close", "reopen"), actions);
        JsonNode close = SimJson.MAPPER.readTree(receiver.received().get(1).body());
        assertFalse(close.get("changes").has("labels"));
        assertEquals(List.of("To validate"), sim.issue(project, 1).labels());
        assertEquals(List.of("closed", "reopened"), sim.stateEvents(project, 1).stream()
                .map(SimStateEvent::state).toList());
    }

    @Test
    void apiUpdatesFireHooksAsTheTokenUser() throws Exception {
        SimUser bot = sim.addUser("countersign-bot", "Countersign");
        sim.createIssue(alice, project, "Reboot db-01");
        try (GitLabApi api = new GitLabApi(sim.baseUrl(), bot.token())) {
            api.getNotesApi().createIssueNote(project.id(), 1L, "Countersigned");
            api.getIssuesApi().closeIssue(project.id(), 1L);
        }
        sim.awaitWebhooksSent();
        assertEquals(List.of("Issue Hook", "Note Hook", "Issue Hook"), events());
        assertEquals(bot.id(), parse(receiver.received().get(1).body(), NoteEvent.class).getUser().getId());
        assertEquals(bot.id(), parse(receiver.received().get(2).body(), IssueEvent.class).getUser().getId());
    }

    @Test
    void systemNotesFireNothing() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01");
        sim.systemNote(alice, project, 1, "changed the description");
        sim.awaitWebhooksSent();
        assertEquals(1, receiver.received().size());
        assertTrue(sim.notes(project, 1).get(0).system());
    }

    @Test
    void redeliveryKeepsIdempotencyKeyAndBody() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01");
        sim.awaitWebhooksSent();
        WebhookDelivery again = sim.redeliver(0);
        sim.awaitWebhooksSent();
        List<TestWebhookReceiver.Received> got = receiver.received();
        assertEquals(2, got.size());
        assertEquals(got.get(0).header("Idempotency-Key"), got.get(1).header("Idempotency-Key"));
        assertEquals(got.get(0).header("X-Gitlab-Event-UUID"), got.get(1).header("X-Gitlab-Event-UUID"));
        assertNotEquals(got.get(0).header("X-Gitlab-Webhook-UUID"), got.get(1).header("X-Gitlab-Webhook-UUID"));
        assertEquals(got.get(0).body(), got.get(1).body());
        assertEquals(0L, again.redeliveryOf());
        assertEquals(1L, again.id());
    }

    @Test
    void eachActionHasItsOwnIdempotencyKeyAndEventUuid() {
        sim.createIssue(alice, project, "One");
        sim.createIssue(alice, project, "Two");
        sim.awaitWebhooksSent();
        Set<String> keys = receiver.received().stream().map(r -> r.header("Idempotency-Key"))
                .collect(Collectors.toSet());
        Set<String> events = receiver.received().stream().map(r -> r.header("X-Gitlab-Event-UUID"))
                .collect(Collectors.toSet());
        assertEquals(2, keys.size());
        assertEquals(2, events.size());
    }

    @Test
    void pauseResumeAndDrop() throws Exception {
        sim.pauseWebhooks();
        sim.createIssue(alice, project, "One");
        assertThrows(IllegalStateException.class, sim::awaitWebhooksSent);
        Thread.sleep(100);
        assertEquals(0, receiver.received().size());
        assertEquals(WebhookDelivery.Outcome.QUEUED, sim.webhookDeliveries().get(0).outcome());
        sim.resumeWebhooks();
        sim.awaitWebhooksSent();
        assertEquals(1, receiver.received().size());

        sim.dropWebhooks(true);
        sim.comment(alice, project, 1, "lost");
        sim.dropWebhooks(false);
        sim.comment(alice, project, 1, "delivered");
        sim.awaitWebhooksSent();
        assertEquals(2, receiver.received().size());
        assertEquals(WebhookDelivery.Outcome.DROPPED, sim.webhookDeliveries().get(1).outcome());
        assertNull(sim.webhookDeliveries().get(1).url(), "never sent");
        sim.redeliver(1);
        sim.awaitWebhooksSent();
        assertTrue(receiver.received().get(2).body().contains("\"lost\""));
    }

    @Test
    void fourConsecutiveFailuresDisableTheHookTemporarily() throws Exception {
        receiver.respondWith(500, 502, 404, 503);
        for (int i = 1; i <= 5; i++) {
            sim.createIssue(alice, project, "Issue " + i);
        }
        sim.awaitWebhooksSent();
        assertEquals(4, receiver.received().size(), "the 5th is not sent while disabled");
        List<WebhookDelivery> d = sim.webhookDeliveries();
        assertEquals(WebhookDelivery.Outcome.FAILED, d.get(3).outcome());
        assertEquals(503, d.get(3).responseStatus());
        assertEquals(WebhookDelivery.Outcome.SKIPPED_DISABLED, d.get(4).outcome());

        SimWebhook state = sim.webhook(hook);
        assertEquals("temporarily_disabled", state.alertStatus());
        assertEquals(4, state.recentFailures());
        assertEquals(T0.plus(Duration.ofMinutes(1)), state.disabledUntil());

        SimUser maintainer = sim.addUser("maint", "Maintainer");
        HttpResponse<String> hooks = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                sim.baseUrl() + "/api/v4/projects/" + project.id() + "/hooks")).header("PRIVATE-TOKEN",
                maintainer.token()).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode apiHook = SimJson.MAPPER.readTree(hooks.body()).get(0);
        assertEquals("temporarily_disabled", apiHook.get("alert_status").asText());
        assertEquals("2026-11-25T09:01:00.000Z", apiHook.get("disabled_until").asText());
        assertEquals(receiver.url(), apiHook.get("url").asText());
        assertTrue(apiHook.get("issues_events").asBoolean());

        clock.advance(Duration.ofMinutes(2)); // backoff over: executable again, a success resets it
        sim.comment(alice, project, 1, "back");
        sim.awaitWebhooksSent();
        assertEquals(5, receiver.received().size());
        assertEquals("executable", sim.webhook(hook).alertStatus());
        assertEquals(0, sim.webhook(hook).recentFailures());
    }

    @Test
    void timeoutCountsAsFailureAndUrlCanChange() throws Exception {
        sim.setWebhookTimeout(Duration.ofMillis(200));
        receiver.delay(1_000);
        sim.createIssue(alice, project, "Slow");
        sim.awaitWebhooksSent();
        WebhookDelivery slow = sim.webhookDeliveries().get(0);
        assertEquals(WebhookDelivery.Outcome.FAILED, slow.outcome());
        assertEquals(0, slow.responseStatus());
        assertEquals(1, sim.webhook(hook).recentFailures());

        receiver.delay(0);
        try (TestWebhookReceiver other = new TestWebhookReceiver()) {
            sim.setWebhookUrl(hook, other.url());
            sim.createIssue(alice, project, "Fast");
            sim.awaitWebhooksSent();
            assertEquals(1, other.received().size());
            assertEquals(other.url(), sim.webhookDeliveries().get(1).url());
        }
    }

    private static JsonNode tree(String json) {
        try {
            return SimJson.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<String> events() {
        return receiver.received().stream().map(r -> r.header("X-Gitlab-Event")).toList();
    }

    private static List<String> titles(List<org.gitlab4j.api.webhook.EventLabel> labels) {
        return labels.stream().map(org.gitlab4j.api.webhook.EventLabel::getTitle).sorted().toList();
    }

    private static <T extends Event> T parse(String body, Class<T> type) throws Exception {
        Event event = new JacksonJson().unmarshal(Event.class, body);
        assertTrue(type.isInstance(event), "parsed as " + event.getClass());
        return type.cast(event);
    }
}
