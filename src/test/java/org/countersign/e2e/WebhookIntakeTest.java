package org.countersign.e2e;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The webhook endpoint as GitLab (or an attacker, or a broken proxy) sees it. */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
class WebhookIntakeTest extends E2eSupport {

    private static final String PATH = "/webhooks/gitlab";

    private long stored() {
        return deliveries.counts().values().stream().mapToLong(Long::longValue).sum();
    }

    /** A real GitLab payload from the documentation, about a project Countersign does not watch. */
    private static String fixture(String name) {
        return HookFixtures.json(name, HookFixtures.UNWATCHED, null);
    }

    private static String fixture(String name, long project, Long iid) {
        return HookFixtures.json(name, project, iid);
    }

    @Test
    void wrongOrMissingTokenIsRejectedAndNothingStored() {
        long before = stored();
        given().header("X-Gitlab-Event", "Issue Hook").header("X-Gitlab-Token", "guess").body(fixture("issue-hook.json"))
                .post(PATH).then().statusCode(401).contentType("application/problem+json")
                .body("status", equalTo(401)).body("detail", containsString("X-Gitlab-Token"));
        given().header("X-Gitlab-Event", "Issue Hook").body(fixture("issue-hook.json"))
                .post(PATH).then().statusCode(401).contentType("application/problem+json");
        given().header("X-Gitlab-Event", "Issue Hook").header("X-Gitlab-Token", GitLabWorld.SECRET + "x")
                .body(fixture("issue-hook.json")).post(PATH).then().statusCode(401);
        assertEquals(before, stored());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', textBlock = """
            Issue Hook             | issue-hook.json
            Issue Hook             | issue-hook-state-changes.json
            Issue Hook             | issue-hook-gitlab4j.json
            Confidential Issue Hook| issue-hook.json
            Note Hook              | note-hook-issue.json
            Note Hook              | note-hook-issue-gitlab4j.json
            Confidential Note Hook | note-hook-issue.json
            """)
    void gitlabsDocumentedPayloadsAreAccepted(String event, String file) {
        // about the watched project (an issue GitLab does not have: the worker finds that out and skips it)
        given().header("X-Gitlab-Event", event.strip()).header("X-Gitlab-Token", GitLabWorld.SECRET)
                .header("Idempotency-Key", UUID.randomUUID().toString()).contentType("application/json")
                .body(fixture(file, project.id(), 424242L)).post(PATH).then().statusCode(202).body("status", equalTo("queued"));
        // about a project Countersign does not watch (a group webhook sends those): acknowledged, not stored
        long before = stored();
        given().header("X-Gitlab-Event", event.strip()).header("X-Gitlab-Token", GitLabWorld.SECRET)
                .header("Idempotency-Key", UUID.randomUUID().toString()).contentType("application/json")
                .body(fixture(file)).post(PATH).then().statusCode(200).body("status", equalTo("ignored"));
        assertEquals(before, stored());
    }

    @Test
    void sameIdempotencyKeyIsStoredOnce() {
        String key = UUID.randomUUID().toString();
        long before = stored();
        for (int i = 0; i < 3; i++) {
            given().header("X-Gitlab-Event", "Note Hook").header("X-Gitlab-Token", GitLabWorld.SECRET)
                    .header("Idempotency-Key", key).body(fixture("note-hook-issue.json", project.id(), 424242L)).post(PATH)
                    .then().statusCode(202).body("status", equalTo(i == 0 ? "queued" : "duplicate"));
        }
        // without Idempotency-Key (GitLab < 17.4): the event UUID and the body identify the delivery
        String uuid = UUID.randomUUID().toString();
        for (int i = 0; i < 2; i++) {
            given().header("X-Gitlab-Event", "Note Hook").header("X-Gitlab-Token", GitLabWorld.SECRET)
                    .header("X-Gitlab-Event-UUID", uuid).body(fixture("note-hook-issue.json", project.id(), 424242L)).post(PATH)
                    .then().statusCode(202).body("status", equalTo(i == 0 ? "queued" : "duplicate"));
        }
        assertEquals(before + 2, stored());
    }

    /** The only 400s: bodies that are no GitLab event at all (GitLab never sends those). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not json                                  | Issue Hook | {not json
            empty body                                | Issue Hook | ''
            JSON array                                | Issue Hook | []
            no object_kind                            | Note Hook  | {}
            object_kind not a string                  | Issue Hook | {"object_kind":5,"object_attributes":{"iid":1},"project":{"id":1}}
            truncated                                 | Issue Hook | {"object_kind":"issue","object_attributes":{"iid":1
            a second document after the first         | Issue Hook | {"object_kind":"issue"}{"object_kind":"issue"}
            """)
    void malformedBodiesGetAProblemAndAreNotStored(String name, String event, String body) {
        long before = stored();
        given().header("X-Gitlab-Event", event.strip()).header("X-Gitlab-Token", GitLabWorld.SECRET)
                .contentType("application/json").body(body == null ? "" : body).post(PATH)
                .then().statusCode(400).contentType("application/problem+json")
                .body("title", equalTo("Malformed webhook")).body("detail", not(containsString("org.")))
                .body("detail", not(containsString("com.fasterxml")));
        assertEquals(before, stored());
    }

    /**
     * An authentic event (right token) that Countersign cannot act on never gets a 4xx: GitLab disables a
     * webhook after 4 failures in a row. Even about the watched project, it is acknowledged and ignored.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            another kind than the header announces | Note Hook  | {"object_kind":"issue","object_attributes":{"iid":1},"project":{"id":PROJECT}} | object_kind 'issue' under Note Hook is not a note
            unknown object_kind                    | Issue Hook | {"object_kind":"banana"}                                                          | object_kind 'banana' under Issue Hook is not an issue or work item
            issue without iid                      | Issue Hook | {"object_kind":"issue","object_attributes":{"title":"x"},"project":{"id":PROJECT}} | object_attributes.iid is missing
            ids of the wrong type                  | Issue Hook | {"object_kind":"issue","object_attributes":{"iid":"twelve"},"project":{"id":[1]}} | iid is not an id
            type of the wrong type                 | Issue Hook | {"object_kind":"work_item","object_attributes":{"iid":1,"type":{"name":"Task"}},"project":{"id":PROJECT}} | object_attributes.type is not a string
            """)
    void authenticEventsCountersignCannotReadAreAcknowledged(String name, String event, String body, String reason) {
        long before = stored();
        given().header("X-Gitlab-Event", event.strip()).header("X-Gitlab-Token", GitLabWorld.SECRET)
                .contentType("application/json").body(body.replace("PROJECT", Long.toString(project.id()))).post(PATH)
                .then().statusCode(200).body("status", equalTo("ignored")).body("reason", equalTo(reason));
        assertEquals(before, stored());
    }

    /**
     * Work items as GitLab sends them (fixtures derived from GitLab's source, see SOURCES.md): tasks and
     * epics under Issue Hook with object_kind work_item are acknowledged and not stored; incidents are
     * governed by default, whether they come as work_item or issue; a note on a task is ignored.
     */
    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            Issue Hook              | issue-hook-work-item-task.json              | 200 | a work item of type 'Task' is not governed (COUNTERSIGN_GOVERNED_TYPES)
            Confidential Issue Hook | confidential-issue-hook-work-item-task.json | 200 | a work item of type 'Task' is not governed (COUNTERSIGN_GOVERNED_TYPES)
            Note Hook               | note-hook-work-item-task.json               | 200 | a work item of type 'Task' is not governed (COUNTERSIGN_GOVERNED_TYPES)
            Confidential Note Hook  | note-hook-work-item-task.json               | 200 | a work item of type 'Task' is not governed (COUNTERSIGN_GOVERNED_TYPES)
            Issue Hook              | issue-hook-work-item-incident.json          | 202 |
            Confidential Issue Hook | issue-hook-work-item-incident.json          | 202 |
            Issue Hook              | issue-hook-incident.json                    | 202 |
            """)
    void workItemsAreStoredWhenTheirTypeIsGovernedAndAcknowledgedOtherwise(String event, String file, int status, String reason) {
        long before = stored();
        var response = given().header("X-Gitlab-Event", event.strip()).header("X-Gitlab-Token", GitLabWorld.SECRET)
                .header("Idempotency-Key", UUID.randomUUID().toString()).contentType("application/json")
                .body(fixture(file.strip(), project.id(), 424242L)).post(PATH).then().statusCode(status);
        if (status == 200) {
            response.body("status", equalTo("ignored")).body("reason", equalTo(reason.strip()));
            assertEquals(before, stored());
        } else {
            response.body("status", equalTo("queued"));
            assertEquals(before + 1, stored());
        }
    }

    @Test
    void aGroupsEpicIsAcknowledged() throws java.io.IOException {
        String epic;
        try (var in = getClass().getResourceAsStream(HookFixtures.fixturePath("issue-hook-work-item-epic.json"))) {
            epic = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        long before = stored();
        given().header("X-Gitlab-Event", "Issue Hook").header("X-Gitlab-Token", GitLabWorld.SECRET)
                .contentType("application/json").body(epic).post(PATH)
                .then().statusCode(200).body("status", equalTo("ignored"))
                .body("reason", equalTo("a work item of type 'Epic' is not governed (COUNTERSIGN_GOVERNED_TYPES)"));
        assertEquals(before, stored());
    }

    @Test
    void otherEventsAreAcknowledgedAndIgnored() {
        long before = stored();
        given().header("X-Gitlab-Event", "Push Hook").header("X-Gitlab-Token", GitLabWorld.SECRET)
                .body("{\"object_kind\":\"push\"}").post(PATH).then().statusCode(200).body("status", equalTo("ignored"));
        String mrNote = fixture("note-hook-issue.json").replace("\"noteable_type\":\"Issue\"", "\"noteable_type\":\"MergeRequest\"");
        given().header("X-Gitlab-Event", "Note Hook").header("X-Gitlab-Token", GitLabWorld.SECRET)
                .body(mrNote).post(PATH).then().statusCode(200).body("status", equalTo("ignored"));
        assertEquals(before, stored());
    }

    @Test
    void missingEventHeaderIsABadRequest() {
        given().header("X-Gitlab-Token", GitLabWorld.SECRET).body(fixture("issue-hook.json")).post(PATH)
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void unknownPathsAndMethodsAnswerProblems() {
        given().get(PATH).then().statusCode(405).header("Allow", "POST").contentType("application/problem+json");
        given().get("/nothing-here").then().statusCode(404);
    }

    /**
     * A chunked body (no Content-Length, so Quarkus' early check cannot refuse it) that grows past
     * {@code quarkus.http.limits.max-body-size} (25M, GitLab's own limit) is cut off by the endpoint's
     * reader: 413, or the connection closed before the client could send it all — never read whole,
     * never stored, and the endpoint still answers afterwards.
     */
    @Test
    void aChunkedBodyPastTheLimitIsRefusedWithoutBeingReadWhole() throws Exception {
        long before = stored();
        long limit = 25L * 1024 * 1024;
        long total = limit + 1024 * 1024;
        AtomicLong sent = new AtomicLong();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return sent.getAndIncrement() < total ? ' ' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                long left = total - sent.get();
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                Arrays.fill(b, off, off + n, (byte) ' ');
                sent.addAndGet(n);
                return n;
            }
        };
        HttpRequest request = HttpRequest.newBuilder(webhookUrl.toURI()).timeout(Duration.ofSeconds(60))
                .header("X-Gitlab-Token", GitLabWorld.SECRET).header("X-Gitlab-Event", "Issue Hook")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> endless)).build();
        try {
            HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                    .send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(413, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
        } catch (IOException closedWhileSending) {
            assertTrue(sent.get() < total, "the connection broke only after the whole body was sent: " + closedWhileSending);
        }
        assertEquals(before, stored());
        given().header("X-Gitlab-Token", GitLabWorld.SECRET).header("X-Gitlab-Event", "Issue Hook")
                .contentType("application/json").body(fixture("issue-hook.json")).post(PATH).then().statusCode(200);
    }
}
