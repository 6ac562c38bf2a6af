package org.countersign.gitlab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.GitLabApiException;
import org.gitlab4j.api.models.AccessLevel;
import org.gitlab4j.api.models.Member;
import org.gitlab4j.api.models.Note;
import org.gitlab4j.api.models.User;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bots and special users as GitLab models them, seen through {@code GET /users/:id}, {@code GET /user},
 * {@code members/all} and note authors.
 *
 * <p>Sources (gitlabhq/gitlabhq): {@code app/models/concerns/has_user_type.rb} ({@code BOT_USER_TYPES},
 * {@code bot?}, {@code redacted_name}), {@code app/services/resource_access_tokens/create_service.rb} and
 * {@code lib/gitlab/utils/username_and_email_generator.rb} ({@code <type>_<id>_bot_<32 hex>},
 * {@code @noreply.<host>}), {@code doc/api/service_accounts.md}, {@code lib/users/internal.rb} ({@code ghost}),
 * {@code app/services/users/migrate_records_to_ghost_user_service.rb},
 * {@code db/migrate/20200423075720_add_user_id_foreign_key_to_resource_state_events.rb} ({@code on_delete:
 * :nullify}), {@code lib/api/users.rb} ({@code GET /users/:id} -> {@code Entities::User}),
 * {@code lib/api/entities/user.rb} (exposes {@code bot}), {@code lib/api/entities/user_basic.rb} (no {@code bot}).
 */
class SimUsersTest {

    /** Entities::User keys (non-admin reader). */
    private static final List<String> USER_ENTITY_KEYS = List.of("id", "username", "name", "state", "locked",
            "avatar_url", "web_url", "created_at", "bio", "location", "public_email", "skype", "linkedin", "twitter",
            "discord", "website_url", "organization", "job_title", "pronouns", "bot", "work_information",
            "followers", "following", "is_followed", "local_time");

    private GitLabSimulator sim;
    private SimProject project;
    private SimUser alice;
    private SimUser carol;
    private SimUser stranger;
    private SimTestHttp http;

    @BeforeEach
    void setUp() {
        sim = GitLabSimulator.start();
        sim.setClock(new SimClock(Instant.parse("2026-11-25T09:00:00Z")));
        alice = sim.addUser("alice", "Alice");
        carol = sim.addUser("carol", "Carol");
        stranger = sim.addUser("stranger", "Not A Member");
        project = sim.createProject("infra/interventions");
        sim.addMember(project, alice, GitLabSimulator.DEVELOPER);
        sim.addMember(project, carol, GitLabSimulator.DEVELOPER);
        sim.createIssue(alice, project, "Reboot db-01", false, List.of("To do"));
        http = new SimTestHttp(sim);
    }

    @AfterEach
    void tearDown() {
        sim.close();
    }

    @Test
    void projectAccessTokenBotIsABotMemberWhoseNotesDoNotSaySo() throws Exception {
        SimUser bot = sim.addProjectBot(project, GitLabSimulator.MAINTAINER);
        assertTrue(bot.username().matches("project_" + project.id() + "_bot_[0-9a-f]{32}"), bot.username());
        assertEquals("Interventions bot", bot.name());
        assertEquals(bot.username() + "@noreply.127.0.0.1", bot.email());
        assertEquals(SimUserType.PROJECT_BOT, sim.userType(bot));

        try (GitLabApi asAlice = new GitLabApi(sim.baseUrl(), alice.token());
                GitLabApi asBot = new GitLabApi(sim.baseUrl(), bot.token())) {
            User viaUsersApi = asAlice.getUserApi().getUser(bot.id());
            assertTrue(viaUsersApi.getBot(), "GET /users/:id exposes bot");
            assertTrue(asBot.getUserApi().getCurrentUser().getBot(), "GET /user too");
            assertFalse(asAlice.getUserApi().getUser(alice.id()).getBot());
            assertEquals(bot.id(), asAlice.getUserApi().getUser(bot.username()).getId(), "GET /users?username=");

            Member member = asAlice.getProjectApi().getMember(project.id(), bot.id(), true);
            assertEquals(AccessLevel.MAINTAINER, member.getAccessLevel(), "a real member with a role");

            Note note = asBot.getNotesApi().createIssueNote(project.id(), 1L, "/signoff automated");
            assertEquals(bot.id(), note.getAuthor().getId());
        }
        JsonNode author = SimTestHttp.json(http.get(alice, "/projects/" + project.id() + "/issues/1/notes"))
                .get(0).get("author");
        assertFalse(author.has("bot"), "UserBasic has no bot field: " + author);
        assertEquals(bot.username(), author.get("username").asText());

        JsonNode entity = SimTestHttp.json(http.get(alice, "/users/" + bot.id()));
        for (String key : USER_ENTITY_KEYS) {
            assertTrue(entity.has(key), "Entities::User has " + key + ": " + entity);
        }
        assertTrue(entity.get("bot").asBoolean());
        assertEquals("Interventions bot", entity.get("name").asText());
    }

    // HasUserType#redacted_name: '****' unless the viewer can read the bot's project.
    @Test
    void projectBotNameIsRedactedForUsersWhoCannotReadItsProject() {
        SimUser bot = sim.addProjectBot(project, "signoff-token", GitLabSimulator.DEVELOPER);
        assertEquals("****", SimTestHttp.json(http.get(stranger, "/users/" + bot.id())).get("name").asText());
        assertEquals("signoff-token", SimTestHttp.json(http.get(alice, "/users/" + bot.id())).get("name").asText());
        assertEquals("signoff-token", SimTestHttp.json(http.get(sim.root(), "/users/" + bot.id())).get("name")
                .asText());
    }

    @Test
    void groupBotsAndServiceAccountsAreBotsTooWhateverTheirUsername() throws Exception {
        SimUser groupBot = sim.addGroupBot(project, GitLabSimulator.REPORTER);
        assertTrue(groupBot.username().matches("group_" + (1000 + project.id()) + "_bot_[0-9a-f]{32}"),
                groupBot.username());
        assertEquals(SimUserType.PROJECT_BOT, sim.userType(groupBot), "same user_type as project bots");

        SimUser instanceSa = sim.addServiceAccount();
        assertTrue(instanceSa.username().matches("service_account_[0-9a-f]{32}"), instanceSa.username());
        assertEquals("Service account user", instanceSa.name());
        SimUser groupSa = sim.addGroupServiceAccount(project);
        assertTrue(groupSa.username().matches("service_account_group_" + (1000 + project.id()) + "_[0-9a-f]{32}"));
        SimUser customSa = sim.addServiceAccount("release-robot");
        sim.addMember(project, customSa, GitLabSimulator.DEVELOPER);

        try (GitLabApi api = new GitLabApi(sim.baseUrl(), alice.token())) {
            for (SimUser u : List.of(groupBot, instanceSa, groupSa, customSa)) {
                assertTrue(api.getUserApi().getUser(u.id()).getBot(), u.username());
            }
        }
        try (GitLabApi asSa = new GitLabApi(sim.baseUrl(), customSa.token())) {
            assertEquals("release-robot", asSa.getUserApi().getCurrentUser().getUsername(), "authenticates");
            assertTrue(asSa.getUserApi().getCurrentUser().getBot());
        }
    }

    // Users::Internal.ghost + MigrateRecordsToGhostUserService.
    @Test
    void deletedUsersContributionsMoveToTheGhostWhoIsNotABot() throws Exception {
        sim.moveToList(carol, project, 1, "To do", "To validate");
        long noteId = sim.comment(carol, project, 1, "/signoff").id();
        sim.close(carol, project, 1);
        long maxIdBefore = sim.addUser("zed", "Zed").id();

        sim.deleteUser(carol);
        SimUser ghost = sim.ghost();
        assertSame(ghost, sim.ghost(), "one ghost");
        assertTrue(ghost.id() > maxIdBefore, "created on first need: no fixed id");
        assertEquals("ghost", ghost.username());
        assertEquals("Ghost User", ghost.name());

        try (GitLabApi api = new GitLabApi(sim.baseUrl(), alice.token())) {
            Note note = api.getNotesApi().getIssueNote(project.id(), 1L, noteId);
            assertEquals("ghost", note.getAuthor().getUsername());
            assertFalse(api.getUserApi().getUser(ghost.id()).getBot(), "the ghost is internal, not a bot");
            assertEquals(404, assertThrows(GitLabApiException.class, () -> api.getUserApi().getUser(carol.id()))
                    .getHttpStatus());
            assertEquals(List.of("ghost", "ghost"), api.getResourceLabelEventsApi()
                    .getIssueLabelEvents(project.id(), 1L).stream().skip(1).map(e -> e.getUser().getUsername())
                    .toList(), "label events move to the ghost");
            assertEquals(null, api.getIssuesApi().getIssue(project.id(), 1L).getClosedBy(), "closed_by nullified");
        }
        JsonNode states = SimTestHttp.json(http.get(alice, "/projects/" + project.id()
                + "/issues/1/resource_state_events"));
        assertTrue(states.get(0).get("user").isNull(), "state events keep user null: " + states);
        assertEquals(401, http.get(carol, "/user").statusCode(), "the token is gone");
        assertFalse(SimTestHttp.json(http.get(alice, "/projects/" + project.id() + "/members/all")).toString()
                .contains("\"carol\""), "membership gone");
    }

    @Test
    void ghostUsernameIsMadeUniqueAndTheGhostCannotLogIn() {
        sim.addUser("ghost", "A human called ghost");
        SimUser ghost = sim.ghost();
        assertEquals("ghost1", ghost.username());
        assertNotEquals(200, http.get(ghost, "/user").statusCode());
        HttpResponse<String> viaApi = http.get(alice, "/users/" + ghost.id());
        assertEquals(200, viaApi.statusCode());
        assertTrue(SimTestHttp.json(viaApi).get("bio").asText().contains("Ghost User"));
    }
}
