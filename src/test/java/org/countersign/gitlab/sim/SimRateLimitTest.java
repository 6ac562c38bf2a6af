package org.countersign.gitlab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.core.MultivaluedMap;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.GitLabApiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GitLab's different 429s and injected error bodies, read through GitLab4J as production code reads them
 * ({@code GitLabApiException.getHttpStatus()/getHeaders()}).
 *
 * <p>Sources (gitlabhq/gitlabhq): lib/gitlab/rack_attack.rb {@code throttled_response_headers} (Retry-After =
 * period - now % period, RateLimit-Reset Unix time, RateLimit-ResetTime HTTP date) and
 * lib/gitlab/rack_attack/request_throttle_data.rb; lib/api/notes.rb ({@code check_rate_limit! :notes_create},
 * before the noteable is looked up); lib/api/helpers/rate_limiter.rb ({@code render_api_error!({ error: ... },
 * 429)}, no Retry-After; since MR 206603 {@code too_many_requests!(..., retry_after: interval)});
 * lib/gitlab/middleware/rack_attack_headers.rb (quota headers on every response); lib/api/api.rb
 * ({@code StaleObjectError} -> 409 "409 Conflict: Resource lock").
 */
class SimRateLimitTest {

    /** 10:00:45 UTC: 15 s left in the minute. */
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:45.000Z");

    private GitLabSimulator sim;
    private SimClock clock;
    private SimProject project;
    private SimUser bot;
    private GitLabApi gitlab;

    @BeforeEach
    void setUp() {
        sim = GitLabSimulator.start();
        clock = new SimClock(T0);
        sim.setClock(clock);
        SimUser alice = sim.addUser("alice", "Alice Operator");
        bot = sim.addUser("countersign-bot", "Countersign");
        project = sim.createProject("infra/interventions");
        sim.addMember(project, alice, GitLabSimulator.DEVELOPER);
        sim.addMember(project, bot, GitLabSimulator.REPORTER);
        sim.createIssue(alice, project, "Reboot db-01");
        gitlab = new GitLabApi(sim.baseUrl(), bot.token());
    }

    @AfterEach
    void tearDown() {
        gitlab.close();
        sim.close();
    }

    @Test
    void rackAttackThrottleHasRetryAfterAndRateLimitHeaders() {
        sim.failNextThrottled(1, SimThrottle.RACK_ATTACK, "GET", "/projects/:id/issues/:iid");
        GitLabApiException e = assertThrows(GitLabApiException.class,
                () -> gitlab.getIssuesApi().getIssue(project.id(), 1L));
        assertEquals(429, e.getHttpStatus());
        MultivaluedMap<String, String> h = e.getHeaders();
        assertEquals("15", h.getFirst("Retry-After"));
        assertEquals("throttle_authenticated_api", h.getFirst("RateLimit-Name"));
        assertEquals("2000", h.getFirst("RateLimit-Limit"));
        assertEquals("2001", h.getFirst("RateLimit-Observed"));
        assertEquals("0", h.getFirst("RateLimit-Remaining"));
        assertEquals(String.valueOf(Instant.parse("2026-11-25T10:01:00Z").getEpochSecond()),
                h.getFirst("RateLimit-Reset"));
        assertEquals("Wed, 25 Nov 2026 10:01:00 GMT", h.getFirst("RateLimit-ResetTime"));
    }

    @Test
    void applicationLimitVariants() throws Exception {
        sim.failNextThrottled(1, SimThrottle.APPLICATION, "POST", "/projects/:id/issues/:iid/notes");
        GitLabApiException legacy = assertThrows(GitLabApiException.class,
                () -> gitlab.getNotesApi().createIssueNote(project.id(), 1L, "Countersigned"));
        assertEquals(429, legacy.getHttpStatus());
        // GitLab4J reads a JSON object under "message" as validation errors: the text is useless to callers.
        assertTrue(legacy.getMessage().startsWith("The following fields have validation errors: error"),
                legacy.getMessage());
        assertNull(legacy.getHeaders().getFirst("Retry-After"));
        assertNull(legacy.getHeaders().getFirst("RateLimit-Reset"));

        sim.failNextThrottled(1, SimThrottle.APPLICATION_RETRY_AFTER, "POST", "/projects/:id/issues/:iid/notes");
        GitLabApiException current = assertThrows(GitLabApiException.class,
                () -> gitlab.getNotesApi().createIssueNote(project.id(), 1L, "Countersigned"));
        assertEquals("60", current.getHeaders().getFirst("Retry-After"), "the limit's interval");
        assertNull(current.getHeaders().getFirst("RateLimit-Reset"));

        sim.failNextThrottled(1, SimThrottle.APPLICATION_WITH_QUOTA_HEADERS, "POST",
                "/projects/:id/issues/:iid/notes");
        GitLabApiException quota = assertThrows(GitLabApiException.class,
                () -> gitlab.getNotesApi().createIssueNote(project.id(), 1L, "Countersigned"));
        assertNull(quota.getHeaders().getFirst("Retry-After"));
        assertNull(quota.getHeaders().getFirst("RateLimit-ResetTime"));
        assertEquals(String.valueOf(Instant.parse("2026-11-25T10:01:00Z").getEpochSecond()),
                quota.getHeaders().getFirst("RateLimit-Reset"));
        assertEquals("1939", quota.getHeaders().getFirst("RateLimit-Remaining"), "the API quota is not exhausted");
        assertTrue(sim.notes(project, 1).isEmpty());
    }

    @Test
    void applicationLimitBodyIsAnObjectUnderMessage() throws Exception {
        sim.failNextThrottled(1, SimThrottle.APPLICATION, null, null);
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(sim.baseUrl() + "/api/v4/projects/"
                        + project.id() + "/issues/1/notes")).header("PRIVATE-TOKEN", bot.token())
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("body=x")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(429, r.statusCode());
        JsonNode body = SimJson.MAPPER.readTree(r.body());
        assertEquals("This endpoint has been requested too many times. Try again later.",
                body.at("/message/error").asText());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void noteCreationLimitCountsPerUserAndSimulatedMinute() throws Exception {
        sim.limitNoteCreation(2);
        clock.set(Instant.parse("2026-11-25T10:00:00.000Z"));
        gitlab.getNotesApi().createIssueNote(project.id(), 1L, "one");
        gitlab.getNotesApi().createIssueNote(project.id(), 1L, "two");
        GitLabApiException third = assertThrows(GitLabApiException.class,
                () -> gitlab.getNotesApi().createIssueNote(project.id(), 1L, "three"));
        assertEquals(429, third.getHttpStatus());
        assertNull(third.getHeaders().getFirst("Retry-After"));
        assertEquals(2, sim.notes(project, 1).size());
        assertEquals(1L, gitlab.getIssuesApi().getIssue(project.id(), 1L).getIid(), "only note creation is limited");

        SimUser other = sim.addUser("carol", "Carol Reviewer");
        sim.addMember(project, other, GitLabSimulator.DEVELOPER);
        try (GitLabApi asOther = new GitLabApi(sim.baseUrl(), other.token())) {
            asOther.getNotesApi().createIssueNote(project.id(), 1L, "per user");
        }
        clock.advance(Duration.ofSeconds(59));
        assertThrows(GitLabApiException.class, () -> gitlab.getNotesApi().createIssueNote(project.id(), 1L, "x"));
        clock.advance(Duration.ofSeconds(1)); // next window
        gitlab.getNotesApi().createIssueNote(project.id(), 1L, "four");
        assertEquals(List.of("one", "two", "per user", "four"),
                sim.notes(project, 1).stream().map(SimNote::body).toList());
        sim.limitNoteCreation(0);
        gitlab.getNotesApi().createIssueNote(project.id(), 1L, "five");
        gitlab.getNotesApi().createIssueNote(project.id(), 1L, "six");
    }

    @Test
    void injectedConflictAndUnprocessableBodies() {
        sim.failNext(1, 409, "PUT", "/projects/:id/issues/:iid", GitLabSimulator.RESOURCE_LOCK);
        GitLabApiException conflict = assertThrows(GitLabApiException.class,
                () -> gitlab.getIssuesApi().closeIssue(project.id(), 1L));
        assertEquals(409, conflict.getHttpStatus());
        assertEquals("409 Conflict: Resource lock", conflict.getMessage());
        assertFalse(sim.issue(project, 1).isClosed());

        sim.failNext(1, 422, "POST", null, GitLabSimulator.UNPROCESSABLE);
        GitLabApiException unprocessable = assertThrows(GitLabApiException.class,
                () -> gitlab.getNotesApi().createIssueNote(project.id(), 1L, "x"));
        assertEquals(422, unprocessable.getHttpStatus());
        assertEquals("422 Unprocessable Entity", unprocessable.getMessage());
    }
}
