package org.countersign.gitlab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The write endpoints the set-up uses, with GitLab's answers: lib/api/project_hooks.rb ({@code authorize_admin_project}:
 * Maintainer; 422 {@code Invalid url given}; the token is never presented, Entities::ProjectHook; a trigger not given
 * takes the web_hooks column default: push_events true, the others false), lib/api/labels.rb +
 * lib/api/helpers/label_helpers.rb (201; 409 {@code Label already exists}; admin_label: Reporter/Planner),
 * lib/api/boards.rb (POST lists with label_id; 400 {@code Label not found!}). Docs:
 * https://docs.gitlab.com/api/project_webhooks/, https://docs.gitlab.com/api/labels/, https://docs.gitlab.com/api/boards/.
 */
class SimSetupRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private GitLabSimulator sim;
    private SimProject project;
    private SimUser developer;
    private SimUser maintainer;
    private SimUser guest;

    @BeforeEach
    void setUp() {
        sim = GitLabSimulator.start();
        sim.setEnforceAuthorization(true);
        developer = sim.addUser("dev", "Dev");
        maintainer = sim.addUser("maint", "Maint");
        guest = sim.addUser("guest", "Guest");
        project = sim.createProject("infra/interventions");
        sim.addMember(project, developer, GitLabSimulator.DEVELOPER);
        sim.addMember(project, maintainer, GitLabSimulator.MAINTAINER);
        sim.addMember(project, guest, GitLabSimulator.GUEST);
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    @Test
    void hooksAreManagedByMaintainersOnlyAndNeverShowTheirToken() throws Exception {
        Map<String, String> hook = Map.of("url", "https://countersign.example.org/webhooks/gitlab", "token", "t0p",
                "issues_events", "true");
        assertEquals(403, send("POST", "/hooks", developer, hook).statusCode());
        assertTrue(sim.webhooks(project).isEmpty());

        HttpResponse<String> created = send("POST", "/hooks", maintainer, hook);
        assertEquals(201, created.statusCode());
        JsonNode h = JSON.readTree(created.body());
        assertFalse(h.has("token"), "the token is never presented");
        assertTrue(h.path("push_events").asBoolean(), "column default");
        assertTrue(h.path("issues_events").asBoolean());
        assertFalse(h.path("note_events").asBoolean(), "column default");
        assertEquals("t0p", sim.webhooks(project).get(0).secretToken());

        long id = h.path("id").asLong();
        assertEquals(403, send("PUT", "/hooks/" + id, developer, Map.of("url", hook.get("url"), "note_events", "true")).statusCode());
        HttpResponse<String> edited = send("PUT", "/hooks/" + id, maintainer, Map.of("url", hook.get("url"), "note_events", "true"));
        assertEquals(200, edited.statusCode());
        assertTrue(JSON.readTree(edited.body()).path("note_events").asBoolean());
        assertEquals("t0p", sim.webhooks(project).get(0).secretToken(), "a token not given is kept");

        HttpResponse<String> bad = send("POST", "/hooks", maintainer, Map.of("url", "ftp://nope"));
        assertEquals(422, bad.statusCode());
        assertEquals("Invalid url given", JSON.readTree(bad.body()).path("message").asText());
        assertEquals(404, send("PUT", "/hooks/999", maintainer, Map.of("url", hook.get("url"))).statusCode());
    }

    @Test
    void labelsAndBoardListsNeedReporterAndAreUnique() throws Exception {
        Map<String, String> label = Map.of("name", "To validate", "color", "#F0AD4E");
        assertEquals(403, send("POST", "/labels", guest, label).statusCode());
        HttpResponse<String> created = send("POST", "/labels", developer, label);
        assertEquals(201, created.statusCode());
        long labelId = JSON.readTree(created.body()).path("id").asLong();
        HttpResponse<String> again = send("POST", "/labels", developer, label);
        assertEquals(409, again.statusCode());
        assertEquals("Label already exists", JSON.readTree(again.body()).path("message").asText());

        HttpResponse<String> board = send("POST", "/boards", developer, Map.of("name", "Development"));
        assertEquals(201, board.statusCode());
        long boardId = JSON.readTree(board.body()).path("id").asLong();
        String lists = "/boards/" + boardId + "/lists";
        assertEquals(400, send("POST", lists, developer, Map.of("label_id", "4242")).statusCode());
        assertEquals(403, send("POST", lists, guest, Map.of("label_id", String.valueOf(labelId))).statusCode());
        HttpResponse<String> list = send("POST", lists, developer, Map.of("label_id", String.valueOf(labelId)));
        assertEquals(201, list.statusCode());
        assertEquals("To validate", JSON.readTree(list.body()).path("label").path("name").asText());
        assertEquals(400, send("POST", lists, developer, Map.of("label_id", String.valueOf(labelId))).statusCode(),
                "one list per label");
        assertEquals(1, sim.boards(project).get(0).lists().size());
    }

    private HttpResponse<String> send(String method, String path, SimUser user, Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/v4/projects/" + project.id() + path))
                .header("PRIVATE-TOKEN", user.token())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
