package org.countersign.gitlab.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.gitlab4j.api.GitLabApi;
import org.gitlab4j.api.GitLabApiException;
import org.gitlab4j.api.Pager;
import org.gitlab4j.api.models.Board;
import org.gitlab4j.api.models.BoardList;
import org.gitlab4j.api.models.Issue;
import org.gitlab4j.api.models.IssueFilter;
import org.gitlab4j.api.models.LabelEvent;
import org.gitlab4j.api.models.Member;
import org.gitlab4j.api.models.Note;
import org.gitlab4j.api.models.Project;
import org.gitlab4j.api.models.User;
import org.gitlab4j.models.Constants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator through GitLab4J 6.2.0 over real HTTP, as production code uses it. */
class SimClientTest {

    private static final Instant T0 = Instant.parse("2026-11-25T08:00:00.000Z");

    private GitLabSimulator sim;
    private SimClock clock;
    private SimProject project;
    private SimUser alice;
    private SimUser bob;
    private SimUser bot;
    private GitLabApi gitlab;

    @BeforeEach
    void setUp() {
        sim = GitLabSimulator.start();
        clock = new SimClock(T0);
        sim.setClock(clock);
        alice = sim.addUser("alice", "Alice Operator");
        bob = sim.addUser("bob", "Bob Engineer");
        bot = sim.addUser("countersign-bot", "Countersign");
        project = sim.createProject("infra/interventions");
        sim.addMember(project, alice, GitLabSimulator.DEVELOPER);
        sim.addMember(project, bob, GitLabSimulator.MAINTAINER);
        sim.addMember(project, bot, GitLabSimulator.REPORTER);
        sim.createBoard(project, "Interventions", "To do", "To validate", "Validated");
        gitlab = new GitLabApi(sim.baseUrl(), bot.token());
    }

    @AfterEach
    void tearDown() {
        gitlab.close();
        sim.close();
    }

    @Test
    void currentUserAndProjectByPath() throws Exception {
        User me = gitlab.getUserApi().getCurrentUser();
        assertEquals(bot.id(), me.getId());
        assertEquals("countersign-bot", me.getUsername());

        Project p = gitlab.getProjectApi().getProject("infra/interventions");
        assertEquals(project.id(), p.getId());
        assertEquals("infra/interventions", p.getPathWithNamespace());
        assertEquals(sim.baseUrl() + "/infra/interventions", p.getWebUrl());
        assertEquals(1, sim.requestCount("GET", "/projects/:id"));
    }

    @Test
    void issuesPagedWithUpdatedAfterAscending() throws Exception {
        for (int i = 0; i < 260; i++) {
            sim.createIssue(alice, project, "Intervention " + (i + 1));
            clock.advance(Duration.ofMinutes(1));
        }
        // Touch #3 last: with order_by=updated_at it must come last.
        sim.comment(bob, project, 3, "bump");
        clock.advance(Duration.ofMinutes(1));
        sim.close(bob, project, 12); // closed issues are included too
        Date after = Date.from(T0.plus(Duration.ofMinutes(10))); // inclusive: #11..#260 plus #3
        // GitLab4J's IssueState has no ALL: omitting state means all states, GitLab's default.
        IssueFilter filter = new IssueFilter().withUpdatedAfter(after)
                .withOrderBy(Constants.IssueOrderBy.UPDATED_AT).withSort(Constants.SortOrder.ASC);
        Pager<Issue> pager = gitlab.getIssuesApi().getIssues(project.pathWithNamespace(), filter, 100);
        assertEquals(251, pager.getTotalItems());
        assertEquals(3, pager.getTotalPages());
        List<Issue> all = new ArrayList<>();
        int pages = 0;
        while (pager.hasNext()) {
            all.addAll(pager.next());
            pages++;
        }
        assertEquals(3, pages);
        assertEquals(251, all.size());
        assertEquals(11L, all.get(0).getIid());
        assertEquals(13L, all.get(1).getIid());
        assertEquals(260L, all.get(248).getIid());
        assertEquals(3L, all.get(249).getIid());
        assertEquals(12L, all.get(250).getIid());
        assertEquals(Constants.IssueState.CLOSED, all.get(250).getState());
        for (int i = 1; i < all.size(); i++) {
            assertFalse(all.get(i).getUpdatedAt().before(all.get(i - 1).getUpdatedAt()), "ascending");
        }
    }

    @Test
    void paginationHeadersAndLinks() throws Exception {
        for (int i = 0; i < 45; i++) {
            sim.createIssue(alice, project, "Intervention " + i);
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sim.baseUrl()
                + "/api/v4/projects/infra%2Finterventions/issues?state=opened&page=2")).header("Authorization",
                "Bearer " + bot.token()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("2", header(r, "X-Page"));
        assertEquals("20", header(r, "X-Per-Page"));
        assertEquals("3", header(r, "X-Next-Page"));
        assertEquals("1", header(r, "X-Prev-Page"));
        assertEquals("45", header(r, "X-Total"));
        assertEquals("3", header(r, "X-Total-Pages"));
        String link = header(r, "Link");
        assertTrue(link.contains("state=opened&page=3&per_page=20>; rel=\"next\""), link);
        assertTrue(link.contains("page=1&per_page=20>; rel=\"prev\""), link);
        assertTrue(link.contains("rel=\"first\"") && link.contains("page=3&per_page=20>; rel=\"last\""), link);

        HttpResponse<String> last = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sim.baseUrl()
                + "/api/v4/projects/" + project.id() + "/issues?page=3&per_page=20")).header("PRIVATE-TOKEN",
                bot.token()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("", header(last, "X-Next-Page"));
        assertEquals(5, SimJson.MAPPER.readTree(last.body()).size());
    }

    @Test
    void issueCloseReopenAndStateEvents() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01", bob);
        Issue issue = gitlab.getIssuesApi().getIssue(project.id(), 1L);
        assertEquals("Reboot db-01", issue.getTitle());
        assertEquals(Constants.IssueState.OPENED, issue.getState());
        assertEquals(bob.id(), issue.getAssignees().get(0).getId());
        assertEquals(alice.id(), issue.getAuthor().getId());

        clock.advance(Duration.ofMinutes(3));
        Issue closed = gitlab.getIssuesApi().closeIssue(project.pathWithNamespace(), 1L);
        assertEquals(Constants.IssueState.CLOSED, closed.getState());
        assertEquals(bot.id(), closed.getClosedBy().getId());
        assertEquals(Date.from(T0.plus(Duration.ofMinutes(3))), closed.getClosedAt());
        assertEquals("closed", sim.issue(project, 1).state());

        clock.advance(Duration.ofMinutes(3));
        Issue reopened = gitlab.getIssuesApi().reopenIssue(project.id(), 1L);
        assertEquals(Constants.IssueState.OPENED, reopened.getState());
        assertNull(reopened.getClosedAt());

        List<org.gitlab4j.api.models.IssueEvent> states =
                gitlab.getResourceStateEventsApi().getIssueStateEvents(project.id(), 1L);
        assertEquals(List.of("closed", "reopened"), states.stream().map(e -> e.getState()).toList());
        assertEquals(bot.id(), states.get(0).getUser().getId());
    }

    @Test
    void notesCreateAndList() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01");
        sim.comment(alice, project, 1, "Rebooted");
        clock.advance(Duration.ofSeconds(30));
        Note created = gitlab.getNotesApi().createIssueNote(project.id(), 1L, "Countersigned by the bot");
        assertEquals(bot.id(), created.getAuthor().getId());
        assertFalse(created.getSystem());
        clock.advance(Duration.ofSeconds(30));
        Note internal = gitlab.getNotesApi().createIssueNote(project.id(), 1L, "internal remark", null, true);
        assertTrue(internal.getInternal());

        List<Note> notes = gitlab.getNotesApi().getIssueNotes(project.pathWithNamespace(), 1L);
        assertEquals(List.of("internal remark", "Countersigned by the bot", "Rebooted"),
                notes.stream().map(Note::getBody).toList(), "GitLab's default order: created_at desc");
        assertEquals(List.of("Rebooted", "Countersigned by the bot", "internal remark"),
                sim.notes(project, 1).stream().map(SimNote::body).toList(), "inspection: oldest first");
        assertEquals(2, sim.requestCount("POST", "/projects/:id/issues/:iid/notes"));
    }

    // add_labels as production sends it: org.countersign.gitlab.IssueResourceApiTest

    @Test
    void putAcceptsRemoveReplaceAndAssigneesInOneUpdate() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01", false, List.of("To do", "db"));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sim.baseUrl()
                + "/api/v4/projects/" + project.id() + "/issues/1"))
                .header("PRIVATE-TOKEN", bot.token())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .PUT(HttpRequest.BodyPublishers.ofString("remove_labels=To+do&add_labels=Validated"
                        + "&assignee_ids%5B%5D=" + bob.id() + "&state_event=close")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        SimIssue issue = sim.issue(project, 1);
        assertEquals(List.of("Validated", "db"), issue.labels());
        assertEquals(List.of(bob.id()), issue.assigneeIds());
        assertTrue(issue.isClosed());
        List<SimLabelEvent> events = sim.labelEvents(project, 1);
        Instant at = events.get(events.size() - 1).createdAt();
        assertEquals(at, sim.stateEvents(project, 1).get(0).createdAt(), "one update, one timestamp");
    }

    @Test
    void boardsAndLists() throws Exception {
        List<Board> boards = gitlab.getBoardsApi().getBoards(project.id());
        assertEquals(1, boards.size());
        assertEquals("Interventions", boards.get(0).getName());
        List<BoardList> lists = gitlab.getBoardsApi().getBoardLists(project.id(), boards.get(0).getId());
        assertEquals(List.of("To do", "To validate", "Validated"),
                lists.stream().map(l -> l.getLabel().getName()).toList());
        assertNotNull(lists.get(0).getLabel().getId());
    }

    @Test
    void membersIncludingNonMember404() throws Exception {
        List<Member> members = gitlab.getProjectApi().getAllMembers(project.id());
        assertEquals(List.of("alice", "bob", "countersign-bot"), members.stream().map(Member::getUsername).toList());
        Member bobMember = gitlab.getProjectApi().getMember(project.id(), bob.id(), true);
        assertEquals(org.gitlab4j.api.models.AccessLevel.MAINTAINER, bobMember.getAccessLevel());

        SimUser stranger = sim.addUser("stranger", "Not A Member");
        GitLabApiException e = assertThrows(GitLabApiException.class,
                () -> gitlab.getProjectApi().getMember(project.id(), stranger.id(), true));
        assertEquals(404, e.getHttpStatus());
    }

    @Test
    void unauthorizedAndNotFound() {
        try (GitLabApi anonymous = new GitLabApi(sim.baseUrl(), "wrong-token")) {
            GitLabApiException e = assertThrows(GitLabApiException.class,
                    () -> anonymous.getUserApi().getCurrentUser());
            assertEquals(401, e.getHttpStatus());
            assertEquals("401 Unauthorized", e.getMessage());
        }
        assertEquals(404, assertThrows(GitLabApiException.class,
                () -> gitlab.getIssuesApi().getIssue(project.id(), 99L)).getHttpStatus());
        assertEquals(404, assertThrows(GitLabApiException.class,
                () -> gitlab.getProjectApi().getProject("infra/nope")).getHttpStatus());
    }

    @Test
    void faultInjectionLatencyAndCounters() throws Exception {
        sim.createIssue(alice, project, "Reboot db-01");
        sim.failNext(1, 429);
        GitLabApiException throttled = assertThrows(GitLabApiException.class,
                () -> gitlab.getIssuesApi().getIssue(project.id(), 1L));
        assertEquals(429, throttled.getHttpStatus());
        assertEquals("1", throttled.getHeaders().getFirst("Retry-After"));
        assertEquals(1L, gitlab.getIssuesApi().getIssue(project.id(), 1L).getIid(), "only the next request");

        sim.failNext(2, 500, "PUT", "/projects/:id/issues/:iid");
        assertEquals(1L, gitlab.getIssuesApi().getIssue(project.id(), 1L).getIid(), "GET not affected");
        assertEquals(500, assertThrows(GitLabApiException.class,
                () -> gitlab.getIssuesApi().closeIssue(project.id(), 1L)).getHttpStatus());
        assertEquals(500, assertThrows(GitLabApiException.class,
                () -> gitlab.getIssuesApi().closeIssue(project.id(), 1L)).getHttpStatus());
        assertEquals(Constants.IssueState.CLOSED, gitlab.getIssuesApi().closeIssue(project.id(), 1L).getState());

        sim.failNext(1, 503, (method, template) -> template.endsWith("/notes"));
        assertEquals(503, assertThrows(GitLabApiException.class,
                () -> gitlab.getNotesApi().getIssueNotes(project.id(), 1L)).getHttpStatus());
        assertEquals(List.of(), gitlab.getNotesApi().getIssueNotes(project.id(), 1L));

        assertEquals(3, sim.requestCount("GET", "/projects/:id/issues/:iid"));
        assertEquals(3, sim.requestCount("PUT", "/projects/:id/issues/:iid"));
        assertEquals(2, sim.requestCount("GET", "/projects/:id/issues/:iid/notes"));
        assertEquals(8, sim.totalRequests());
        assertEquals(3L, sim.requestCounts().get("PUT /projects/:id/issues/:iid"));
        sim.resetRequestCounts();
        assertEquals(0, sim.totalRequests());

        sim.setLatency(Duration.ofMillis(300));
        long start = System.nanoTime();
        gitlab.getUserApi().getCurrentUser();
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
        sim.setLatency(null);
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }
}
