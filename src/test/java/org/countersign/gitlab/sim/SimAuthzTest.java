package org.countersign.gitlab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.GitLabApiException;
import org.gitlab4j.api.models.Note;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tokens and permissions as GitLab enforces them on the calls Countersign makes.
 *
 * <p>Sources (gitlabhq/gitlabhq): lib/api/api_guard.rb ({@code RevokedError} -> 401 {@code invalid_token}
 * "Token was revoked. You have to re-authorize from the user."; {@code find_current_user!} ->
 * {@code forbidden!(api_access_denied_message(user))}); lib/gitlab/auth/user_access_denied_reason.rb ("Your
 * account has been blocked."); lib/api/helpers.rb ({@code forbidden!}, {@code not_found!('Project')});
 * lib/api/issues.rb ({@code authorize! :update_issue}); lib/api/helpers/notes_helpers.rb
 * ({@code authorize!(:create_note, noteable)}); app/policies/project_policy.rb (role table),
 * issuable_policy.rb ({@code locked & ~is_project_member} prevents create_note), app/services/
 * issuable_base_service.rb {@code filter_params} (labels etc. dropped without set_issue_metadata).
 */
class SimAuthzTest {

    private GitLabSimulator sim;
    private SimProject project;
    private SimUser alice;
    private SimUser bot;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() {
        sim = GitLabSimulator.start();
        sim.setClock(new SimClock(Instant.parse("2026-11-25T09:00:00.000Z")));
        alice = sim.addUser("alice", "Alice Operator");
        bot = sim.addUser("countersign-bot", "Countersign");
        project = sim.createProject("infra/interventions");
        sim.addMember(project, alice, GitLabSimulator.DEVELOPER);
        sim.addMember(project, bot, GitLabSimulator.REPORTER);
        sim.createIssue(alice, project, "Reboot db-01", false, List.of("To do"));
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    @Test
    void revokedTokenAnswers401InvalidTokenUnlikeAnUnknownOne() throws Exception {
        sim.revokeToken(bot);
        HttpResponse<String> r = send(bot.token(), "GET", "/user", null);
        assertEquals(401, r.statusCode());
        JsonNode body = SimJson.MAPPER.readTree(r.body());
        assertEquals("invalid_token", body.get("error").asText());
        assertEquals("Token was revoked. You have to re-authorize from the user.",
                body.get("error_description").asText());
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"));
        try (GitLabApi api = new GitLabApi(sim.baseUrl(), bot.token())) {
            GitLabApiException e = assertThrows(GitLabApiException.class,
                    () -> api.getNotesApi().createIssueNote(project.id(), 1L, "Countersigned"));
            assertEquals(401, e.getHttpStatus());
        }
        HttpResponse<String> unknown = send("glpat-nobody", "GET", "/user", null);
        assertEquals("401 Unauthorized", SimJson.MAPPER.readTree(unknown.body()).get("message").asText());
        assertTrue(sim.notes(project, 1).isEmpty());
    }

    @Test
    void blockedUserGets403AndShowsAsBlocked() throws Exception {
        sim.blockUser(alice);
        HttpResponse<String> r = send(alice.token(), "GET", "/projects/" + project.id() + "/issues/1", null);
        assertEquals(403, r.statusCode());
        assertEquals("403 Forbidden - Your account has been blocked.",
                SimJson.MAPPER.readTree(r.body()).get("message").asText());
        JsonNode members = SimJson.MAPPER.readTree(send(bot.token(), "GET",
                "/projects/" + project.id() + "/members/all", null).body());
        assertEquals("blocked", members.get(0).get("state").asText());
        sim.unblockUser(alice);
        assertEquals(200, send(alice.token(), "GET", "/user", null).statusCode());
    }

    @Test
    void guestCannotUpdateOrNonMemberCannotSeeAPrivateProject() throws Exception {
        sim.setEnforceAuthorization(true);
        sim.setAccessLevel(project, bot, GitLabSimulator.GUEST);
        try (GitLabApi api = new GitLabApi(sim.baseUrl(), bot.token())) {
            GitLabApiException forbidden = assertThrows(GitLabApiException.class,
                    () -> api.getIssuesApi().closeIssue(project.id(), 1L));
            assertEquals(403, forbidden.getHttpStatus());
            assertEquals("403 Forbidden", forbidden.getMessage());
            Note note = api.getNotesApi().createIssueNote(project.id(), 1L, "Guests may comment");
            assertEquals(bot.id(), note.getAuthor().getId());
        }
        assertFalse(sim.issue(project, 1).isClosed());

        sim.removeMember(project, bot);
        try (GitLabApi api = new GitLabApi(sim.baseUrl(), bot.token())) {
            GitLabApiException hidden = assertThrows(GitLabApiException.class,
                    () -> api.getNotesApi().createIssueNote(project.id(), 1L, "Countersigned"));
            assertEquals(404, hidden.getHttpStatus());
            assertEquals("404 Project Not Found", hidden.getMessage());
        }
        sim.setProjectVisibility(project, "public");
        HttpResponse<String> put = send(bot.token(), "PUT", "/projects/" + project.id() + "/issues/1",
                "state_event=close");
        assertEquals(403, put.statusCode(), "a public project is visible, but updating needs Reporter");
    }

    @Test
    void guestAuthorMayUpdateButLabelsAndLockAreDroppedSilently() throws Exception {
        sim.setEnforceAuthorization(true);
        sim.setAccessLevel(project, alice, GitLabSimulator.GUEST); // alice wrote #1
        HttpResponse<String> r = send(alice.token(), "PUT", "/projects/" + project.id() + "/issues/1",
                "add_labels=To+validate&discussion_locked=true&state_event=close");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode issue = SimJson.MAPPER.readTree(r.body());
        assertEquals("closed", issue.get("state").asText(), "authors may update_issue");
        assertEquals(List.of("To do"), List.of(issue.get("labels").get(0).asText()));
        assertEquals(1, issue.get("labels").size(), "add_labels dropped without set_issue_metadata");
        assertFalse(issue.get("discussion_locked").asBoolean());
    }

    @Test
    void nonMembersCannotCommentOnALockedIssueOfAPublicProject() throws Exception {
        sim.setEnforceAuthorization(true);
        sim.setProjectVisibility(project, "public");
        SimUser outsider = sim.addUser("oscar", "Oscar Outsider");
        assertEquals(201, send(outsider.token(), "POST", "/projects/" + project.id() + "/issues/1/notes",
                "body=looks+good").statusCode(), "public project: anyone may comment");
        sim.lockDiscussion(alice, project, 1);
        HttpResponse<String> r = send(outsider.token(), "POST", "/projects/" + project.id() + "/issues/1/notes",
                "body=%2Fsignoff");
        assertEquals(403, r.statusCode());
        assertEquals("403 Forbidden", SimJson.MAPPER.readTree(r.body()).get("message").asText());
        assertEquals(201, send(bot.token(), "POST", "/projects/" + project.id() + "/issues/1/notes",
                "body=members+still+can").statusCode());
    }

    @Test
    void confidentialIssuesAreHiddenFromGuestsWhoDidNotWriteThem() throws Exception {
        sim.setEnforceAuthorization(true);
        sim.createIssue(alice, project, "Secret", true, List.of());
        sim.setAccessLevel(project, bot, GitLabSimulator.GUEST);
        assertEquals(404, send(bot.token(), "GET", "/projects/" + project.id() + "/issues/2", null).statusCode());
        JsonNode list = SimJson.MAPPER.readTree(send(bot.token(), "GET", "/projects/" + project.id() + "/issues",
                null).body());
        assertEquals(1, list.size());
        sim.setAccessLevel(project, bot, GitLabSimulator.REPORTER);
        assertEquals(200, send(bot.token(), "GET", "/projects/" + project.id() + "/issues/2", null).statusCode());
    }

    private HttpResponse<String> send(String token, String method, String path, String form) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/v4" + path))
                .header("PRIVATE-TOKEN", token);
        if (form == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/x-www-form-urlencoded")
                    .method(method, HttpRequest.BodyPublishers.ofString(form));
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
