package org.countersign.people;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.countersign.e2e.E2eSupport;
import org.countersign.e2e.GitLabWorld;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, the REST API under /api/v1 as a script sees it: API tokens made with the admin token, the
 * review queue, a ticket's decision explained, the audit trail searched, paginated and exported as CSV;
 * every error application/problem+json. This world has no GitLab login configured: the pages say so.
 */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
class PeopleApiTest extends E2eSupport {

    private static final String ADMIN = "Bearer test-admin-token";

    private String newToken() {
        return given().header("Authorization", ADMIN).contentType(ContentType.JSON).body(Map.of("label", "ci"))
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
    }

    @Test
    void tokensAreMadeByTheAdminShownOnceAndRevocable() {
        given().contentType(ContentType.JSON).body("{}").post("/api/v1/tokens")
                .then().statusCode(401).contentType("application/problem+json").body("status", equalTo(401));
        given().header("Authorization", "Bearer cst_not-a-token").contentType(ContentType.JSON).body("{}")
                .post("/api/v1/tokens").then().statusCode(401).contentType("application/problem+json");

        JsonPath created = given().header("Authorization", ADMIN).contentType(ContentType.JSON).body("{\"label\":\"grafana\"}")
                .post("/api/v1/tokens").then().statusCode(201).extract().jsonPath();
        long id = created.getLong("id");
        String token = created.getString("token");
        assertTrue(token.startsWith("cst_") && token.length() > 40, token);
        assertEquals(2, created.getMap("$").size(), "only id and token: " + created.prettify());

        given().header("Authorization", "Bearer " + token).get("/api/v1/queue").then().statusCode(200);
        given().header("Authorization", ADMIN).get("/api/v1/queue").then().statusCode(200);
        // an API token cannot make tokens
        given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/tokens").then().statusCode(401);

        given().header("Authorization", ADMIN).delete("/api/v1/tokens/" + id).then().statusCode(204);
        given().header("Authorization", "Bearer " + token).get("/api/v1/queue")
                .then().statusCode(401).contentType("application/problem+json").body("detail", containsString("not valid"));
        given().header("Authorization", ADMIN).delete("/api/v1/tokens/" + id)
                .then().statusCode(404).contentType("application/problem+json");
    }

    /** The api_token table keeps a token's SHA-256 only: reading the database gives no token that works. */
    @Test
    void apiTokensAreStoredOnlyAsTheirSha256() throws Exception {
        JsonPath created = given().header("Authorization", ADMIN).contentType(ContentType.JSON).body("{\"label\":\"backup\"}")
                .post("/api/v1/tokens").then().statusCode(201).extract().jsonPath();
        String token = created.getString("token");
        String secret = token.substring("cst_".length());
        String row;
        String stored;
        try (java.sql.Connection c = db.getConnection(); java.sql.PreparedStatement s = c.prepareStatement(
                "SELECT row_to_json(t)::text, token_sha256 FROM api_token t WHERE id = ?")) {
            s.setLong(1, created.getLong("id"));
            try (java.sql.ResultSet r = s.executeQuery()) {
                assertTrue(r.next(), "the token's row");
                row = r.getString(1);
                stored = r.getString(2);
            }
        }
        assertFalse(row.contains(secret), row);
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8))), stored);
        // the hash is no token
        given().header("Authorization", "Bearer " + stored).get("/api/v1/queue").then().statusCode(401);
        given().header("Authorization", "Bearer " + token).get("/api/v1/queue").then().statusCode(200);
    }

    @Test
    void withoutTokenOrSessionTheApiAnswers401ProblemJson() {
        for (String path : List.of("/api/v1/queue", "/api/v1/audit", "/api/v1/projects/1/tickets/1")) {
            given().get(path).then().statusCode(401).contentType("application/problem+json")
                    .header("WWW-Authenticate", "Bearer realm=\"countersign\"")
                    .body("title", equalTo("Unauthorized")).body("detail", containsString("Bearer"));
        }
        // a token that is not (or no longer) valid: RFC 6750's invalid_token
        given().header("Authorization", "Bearer cst_not-a-token").get("/api/v1/queue").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"countersign\", error=\"invalid_token\"");
    }

    @Test
    void theQueueListsTicketsInReviewOldestFirstWithWhoMaySignOff() {
        String token = newToken();
        long first;
        world.clock.setOffset(java.time.Duration.ofMinutes(-10)); // it entered review ten minutes ago
        try {
            first = newTicket("Replace the core switch");
            toReview(world.bob, first);
        } finally {
            world.clock.setOffset(java.time.Duration.ZERO);
        }
        long second = newTicket("Renew the wildcard certificate");
        toReview(world.bob, second);
        long notInReview = newTicket("Still being worked on");

        List<Map<String, Object>> items = await().atMost(PATIENCE).until(() -> given().header("Authorization", "Bearer " + token)
                .get("/api/v1/queue").then().statusCode(200).extract().jsonPath().<Map<String, Object>>getList("items")
                .stream().filter(i -> List.of(first, second, notInReview).contains(((Number) i.get("iid")).longValue())).toList(),
                l -> l.size() == 2);
        assertEquals(first, ((Number) items.get(0).get("iid")).longValue(), "oldest first: " + items);
        assertEquals(second, ((Number) items.get(1).get("iid")).longValue());
        Map<String, Object> item = items.get(0);
        assertEquals("Replace the core switch", item.get("title"));
        assertEquals(((Number) project.id()).longValue(), ((Number) item.get("projectId")).longValue());
        assertEquals(List.of("alice", "bob"), item.get("implementers"));
        // Carol (Developer) and Dave (Maintainer); not Rita (Reporter), Oscar (no member), nor Countersign's bot
        assertEquals(List.of("carol", "dave"), item.get("eligibleReviewers"));
        assertTrue(item.get("waitingSince").toString().matches("\\d{4}-.*Z"), item.toString());
        long waited = ((Number) item.get("waitingSeconds")).longValue();
        assertTrue(waited >= 590 && waited < 900, "about ten minutes: " + item);
        assertEquals("10 min", item.get("waiting").toString().replaceAll("^1[01] min$", "10 min"));
        assertTrue(item.get("page").toString().endsWith("/projects/" + project.id() + "/tickets/" + first), item.toString());

        given().header("Authorization", "Bearer " + token).get("/api/v1/queue?mine=true")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void aTicketExplainsItsDecisionWithSignoffsAndAuditEntries() {
        String token = newToken();
        long iid = newTicket("Open port 443 on the edge firewall");
        toReview(world.bob, iid);
        sim.comment(world.rita, project, iid, "/signoff looks fine");
        awaitBotNote(iid, b -> b.startsWith("@rita your sign-off"));
        settle();
        String path = "/api/v1/projects/" + project.id() + "/tickets/" + iid;

        JsonPath t = given().header("Authorization", "Bearer " + token).get(path).then().statusCode(200).extract().jsonPath();
        assertEquals("AWAITING_SIGNOFF", t.getString("verdict"), t.prettify());
        assertEquals(List.of("IN_REVIEW"), t.getList("reasons.code"));
        assertTrue(t.getString("reasons[0].message").contains("with 0 of 1 required sign-offs"), t.prettify());
        assertEquals(List.of("alice", "bob"), t.getList("implementers.username"));
        assertEquals(List.of("author"), t.getList("implementers[0].roles"));
        assertEquals(List.of("rita"), t.getList("signoffs.signer"));
        assertEquals(false, t.getBoolean("signoffs[0].accepted"));
        assertEquals("SIGNER_ACCESS_TOO_LOW", t.getString("signoffs[0].reason"));
        assertTrue(t.getString("signoffs[0].message").contains("your access level is Reporter"), t.prettify());
        assertTrue(t.getString("signoffs[0].noteUrl").contains("#note_"), t.prettify());
        assertTrue(t.getString("reviewSince").endsWith("Z"), t.prettify());

        // the close is undone: the audit entries say why, whatever the latest decision is by now
        sim.close(world.bob, project, iid);
        awaitBotNote(iid, b -> b.contains("reopened"));
        settle();
        JsonPath after = given().header("Authorization", "Bearer " + token).get(path).then().statusCode(200).extract().jsonPath();
        List<String> outcomes = after.getList("audit.outcome");
        assertTrue(outcomes.contains("CLOSE_REJECTED") && outcomes.contains("REFUSED") && outcomes.contains("DONE"),
                outcomes.toString());
        int rejected = outcomes.indexOf("CLOSE_REJECTED");
        assertTrue(after.getString("audit[" + rejected + "].summary").contains("0 of the 1 required sign-off"), after.prettify());
        assertEquals("bob", after.getString("audit[" + rejected + "].actor"));

        given().header("Authorization", "Bearer " + token).get("/api/v1/projects/" + project.id() + "/tickets/99999")
                .then().statusCode(404).contentType("application/problem+json");
        given().header("Authorization", "Bearer " + token).get("/api/v1/projects/" + project.id() + "/tickets/abc")
                .then().statusCode(404).contentType("application/problem+json");
    }

    /**
     * Columns are the board's lists: GET /projects/:id/boards gives the boards with their lists, each with its
     * label (https://docs.gitlab.com/api/boards/, lib/api/boards.rb); tickets per list are counted with
     * GET /projects/:id/issues?labels=..&state=opened&per_page=1 and the X-Total header
     * (https://docs.gitlab.com/api/rest/#pagination-response-headers).
     */
    @Test
    void theProjectsColumnsCountTicketsPerBoardListCachedForTheMemberTtl() {
        String token = newToken();
        long doing = newTicket("Upgrade the load balancers");
        long review = newTicket("Renew the TLS certificates");
        toReview(world.bob, review);
        long done = newTicket("Remove the old backups");
        toReview(world.bob, done);
        sim.comment(world.carol, project, done, "/signoff the backups are gone");
        awaitBotNote(done, b -> b.startsWith("Sign-off by @carol recorded"));
        sim.close(world.bob, project, done);
        awaitIssue(done, i -> i.state().equals("closed"));
        long untouched = sim.createIssue(world.alice, project, "Write the runbook", world.bob).iid();
        settle();
        // what GitLab's board shows now, from the simulator's own state (every test's tickets included)
        List<org.countersign.gitlab.sim.SimIssue> all = sim.issues(project);
        long open = all.stream().filter(i -> i.state().equals("opened")
                && !i.labels().contains(GitLabWorld.DOING) && !i.labels().contains(GitLabWorld.REVIEW)).count();
        long inDoing = all.stream().filter(i -> i.state().equals("opened") && i.labels().contains(GitLabWorld.DOING)).count();
        long inReview = all.stream().filter(i -> i.state().equals("opened") && i.labels().contains(GitLabWorld.REVIEW)).count();
        long closed = all.stream().filter(i -> i.state().equals("closed")).count();
        assertTrue(open >= 1 && inDoing >= 1 && inReview >= 1 && closed >= 1, "the tickets above: " + doing + review + done + untouched);

        String path = "/api/v1/projects/" + project.id() + "/columns";
        long boardsBefore = sim.requestCount("GET", "/projects/:id/boards");
        // counting requests only (one item per page): reconciliation lists the same endpoint meanwhile
        LongSupplier countingCalls = sim.watchRequests("GET", "/projects/:id/issues",
                query -> query.matches("(.*&)?per_page=1(&.*)?"));
        JsonPath c = given().header("Authorization", "Bearer " + token).get(path).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("Open", GitLabWorld.DOING, GitLabWorld.REVIEW, "Closed"), c.getList("columns.name"), c.prettify());
        assertEquals(List.of(open, inDoing, inReview, closed),
                c.getList("columns.tickets", Long.class), c.prettify());
        assertEquals(List.of(true, true, true, true), c.getList("columns.exact"), c.prettify());
        assertEquals(boardsBefore + 1, sim.requestCount("GET", "/projects/:id/boards"));
        assertEquals(4, countingCalls.getAsLong(), "one count per column");

        // within the TTL the counts come from the cache: no GitLab call, the new ticket not yet counted
        sim.createIssue(world.alice, project, "Order spare disks", world.bob);
        JsonPath again = given().header("Authorization", "Bearer " + token).get(path).then().statusCode(200).extract().jsonPath();
        assertEquals(c.getList("columns.tickets", Long.class), again.getList("columns.tickets", Long.class));
        assertEquals(boardsBefore + 1, sim.requestCount("GET", "/projects/:id/boards"));
        assertEquals(4, countingCalls.getAsLong(), "no count while cached");

        given().header("Authorization", "Bearer " + token).get("/api/v1/projects/999999/columns")
                .then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void aTicketNamesWhoMovedItIntoReviewTheLastTime() {
        String token = newToken();
        long iid = newTicket("Rebuild the CI runners");
        toReview(world.bob, iid);
        sim.moveToList(world.bob, project, iid, GitLabWorld.REVIEW, GitLabWorld.DOING);
        sim.moveToList(world.alice, project, iid, GitLabWorld.DOING, GitLabWorld.REVIEW);
        settle();
        String path = "/api/v1/projects/" + project.id() + "/tickets/" + iid;
        JsonPath t = given().header("Authorization", "Bearer " + token).get(path).then().statusCode(200).extract().jsonPath();
        assertEquals("AWAITING_SIGNOFF", t.getString("verdict"), t.prettify());
        // both moved it there once, so both are implementers; the current review is alice's move
        assertEquals("alice", t.getString("reviewBy"), t.prettify());
        assertTrue(t.getList("implementers.find { it.username == 'bob' }.roles").toString().contains("moved it to"),
                t.prettify());
        // and it follows the last move: bob takes it back and brings it again
        sim.moveToList(world.bob, project, iid, GitLabWorld.REVIEW, GitLabWorld.DOING);
        sim.moveToList(world.bob, project, iid, GitLabWorld.DOING, GitLabWorld.REVIEW);
        await().atMost(PATIENCE).until(() -> "bob".equals(given().header("Authorization", "Bearer " + token).get(path)
                .then().statusCode(200).extract().jsonPath().getString("reviewBy")));
    }

    @Test
    void theAuditTrailIsSearchedPaginatedAndExportedAsCsv() {
        String token = newToken();
        long iid = newTicket("Decommission the old mail relay");
        sim.dragToClosed(world.bob, project, iid);
        awaitBotNote(iid, b -> b.contains("reopened"));
        settle();
        String base = "/api/v1/audit?project=" + project.id() + "&ticket=" + iid;

        JsonPath all = given().header("Authorization", "Bearer " + token).get(base).then().statusCode(200).extract().jsonPath();
        long total = all.getLong("total");
        assertTrue(total >= 2, "a decision and its actions: " + all.prettify());
        assertTrue(all.getList("entries.iid").stream().allMatch(i -> ((Number) i).longValue() == iid));

        Response first = given().header("Authorization", "Bearer " + token).get(base + "&per_page=1");
        first.then().statusCode(200).header("X-Total", String.valueOf(total)).header("X-Next-Page", "2")
                .header("Link", containsString("page=2"));
        Response second = given().header("Authorization", "Bearer " + token).get(base + "&per_page=1&page=2");
        assertNotEquals(first.jsonPath().getLong("entries[0].id"), second.jsonPath().getLong("entries[0].id"));

        Response csv = given().header("Authorization", "Bearer " + token).accept("text/csv").get(base);
        csv.then().statusCode(200).contentType(startsWith("text/csv"));
        String[] lines = csv.asString().split("\r\n");
        assertEquals("id,at,project_id,iid,kind,actor,outcome,summary,trigger,gitlab_ref,gitlab_url", lines[0]);
        assertEquals(total + 1, lines.length, csv.asString());
        assertTrue(csv.asString().contains("CLOSE_REJECTED"), csv.asString());
        given().header("Authorization", "Bearer " + token).get(base + "&format=csv").then().contentType(startsWith("text/csv"));

        // by person and date range
        JsonPath byBob = given().header("Authorization", "Bearer " + token).get(base + "&actor=@bob").then().statusCode(200)
                .extract().jsonPath();
        assertTrue(byBob.getLong("total") >= 1 && byBob.getList("entries.actor").stream().allMatch("bob"::equals), byBob.prettify());
        given().header("Authorization", "Bearer " + token).get(base + "&from=2000-01-01&to=2000-01-02")
                .then().statusCode(200).body("total", equalTo(0));

        for (String bad : List.of("&from=yesterday", "&page=0", "&per_page=5000", "&from=2026-01-02&to=2026-01-01", "&format=xml")) {
            given().header("Authorization", "Bearer " + token).get(base + bad)
                    .then().statusCode(400).contentType("application/problem+json");
        }
        given().header("Authorization", "Bearer " + token).get("/api/v1/audit?ticket=1")
                .then().statusCode(400).body("detail", containsString("project"));
    }

    /**
     * Query values that are not what they should be are the caller's mistake: a 400 problem naming the
     * parameter, never RESTEasy's 404 "No such resource" (a failed conversion) nor a 500 (a date Java
     * parses but PostgreSQL's timestamp cannot hold: it ends in the year 294276, starts in 4713 BC).
     */
    @Test
    void badQueryValuesAre400ProblemsNamingTheParameter() {
        String token = newToken();
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("project=x", "project");
        bad.put("project=1&ticket=abc", "ticket");
        bad.put("project=-3", "project");
        bad.put("project=99999999999999999999", "project");
        bad.put("page=abc", "page");
        bad.put("page=9999999999", "page");
        bad.put("per_page=1e3", "per_page");
        bad.put("from=%2B300000-01-01T00:00:00Z", "from");
        bad.put("from=-5000-01-01T00:00:00Z", "from");
        bad.put("to=%2B300000-01-01T00:00:00Z", "to");
        bad.put("from=1969-12-31", "from");
        bad.put("to=10000-01-01T00:00:00Z", "to");
        for (Map.Entry<String, String> b : bad.entrySet()) {
            // the export has no pages: its other filters are checked alike
            for (String path : b.getValue().contains("page") ? List.of("/api/v1/audit?")
                    : List.of("/api/v1/audit?", "/api/v1/audit/export?")) {
                given().header("Authorization", "Bearer " + token).urlEncodingEnabled(false).get(path + b.getKey())
                        .then().statusCode(400).contentType("application/problem+json")
                        .body("status", equalTo(400)).body("detail", startsWith(b.getValue() + " must "));
            }
        }
        // the edges of the range still answer
        given().header("Authorization", "Bearer " + token).get("/api/v1/audit?from=1970-01-01&to=9999-12-31T23:59:59Z")
                .then().statusCode(200);

        for (String mine : List.of("garbage", "yes", "2")) {
            given().header("Authorization", "Bearer " + token).get("/api/v1/queue?mine=" + mine)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("detail", startsWith("mine must be true or false"));
        }
        for (String notMine : List.of("false", "0", "FALSE", "")) {
            given().header("Authorization", "Bearer " + token).get("/api/v1/queue?mine=" + notMine).then().statusCode(200);
        }
    }

    @jakarta.inject.Inject
    io.agroal.api.AgroalDataSource db;

    /**
     * The export gives every matching entry, however many: past the 1,000 a page may hold and across
     * several of the chunks it is read in, in order, each once, and only in projects the caller may see.
     */
    /** {@code n} action entries "entry 1" … "entry n" of {@code actor} on a ticket, written straight into the trail. */
    private void insertAuditEntries(long projectId, long iid, String actor, int n) {
        try (java.sql.Connection c = db.getConnection(); java.sql.PreparedStatement st = c.prepareStatement(
                "INSERT INTO audit_entry (at, project_id, iid, kind, actor, outcome, summary, mode) "
                        + "SELECT now(), ?, ?, 'ACTION', ?, 'DONE', 'entry ' || n, 'enforce' FROM generate_series(1, ?) n")) {
            st.setLong(1, projectId);
            st.setLong(2, iid);
            st.setString(3, actor);
            st.setInt(4, n);
            st.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aTicketWithALongTrailShowsItsLatestEntries() {
        String token = newToken();
        long iid = newTicket("Rotate the backup encryption keys");
        toReview(world.bob, iid);
        String path = "/api/v1/projects/" + project.id() + "/tickets/" + iid;
        await().atMost(PATIENCE).until(() -> given().header("Authorization", "Bearer " + token).get(path).statusCode() == 200);
        settle();
        int extra = PeopleReads.TICKET_AUDIT_LIMIT + 2;
        insertAuditEntries(project.id(), iid, "countersign", extra);
        JsonPath t = given().header("Authorization", "Bearer " + token).get(path).then().statusCode(200).extract().jsonPath();
        List<Long> ids = t.getList("audit.id", Long.class);
        assertEquals(PeopleReads.TICKET_AUDIT_LIMIT, ids.size());
        assertTrue(t.getLong("auditTotal") >= extra + 1, "the decision's own entries and the inserted ones");
        assertEquals("entry " + extra, t.getString("audit[" + (ids.size() - 1) + "].summary"), "the newest is last");
        assertEquals(ids.stream().sorted().toList(), ids, "oldest first");
    }

    @Test
    void theExportStreamsEveryMatchingEntryAcrossChunks() throws Exception {
        String token = newToken();
        String actor = "exporter-" + System.nanoTime();
        int visible = 2 * PeopleReads.EXPORT_CHUNK + 3;
        insertAuditEntries(project.id(), 900007, actor, visible);
        insertAuditEntries(4242424242L, 900007, actor, 2); // a project Countersign does not watch: never exported
        assertTrue(visible > ApiResource.MAX_PER_PAGE, "more than a page may hold");

        Response csv = given().header("Authorization", "Bearer " + token).get("/api/v1/audit/export?actor=" + actor);
        csv.then().statusCode(200).contentType(startsWith("text/csv"))
                .header("Content-Disposition", containsString("attachment"));
        String[] lines = csv.asString().split("\r\n");
        assertEquals("id,at,project_id,iid,kind,actor,outcome,summary,trigger,gitlab_ref,gitlab_url", lines[0]);
        assertEquals(visible + 1, lines.length, "the header and every entry");
        List<Long> ids = java.util.Arrays.stream(lines).skip(1).map(l -> Long.parseLong(l.substring(0, l.indexOf(','))))
                .toList();
        assertEquals(ids.stream().sorted().distinct().toList(), ids, "oldest first, each once");
        assertTrue(java.util.Arrays.stream(lines).skip(1).allMatch(l -> l.contains("," + project.id() + ",900007,")), lines[1]);

        JsonPath json = given().header("Authorization", "Bearer " + token)
                .get("/api/v1/audit/export?format=json&project=" + project.id() + "&ticket=900007&actor=@" + actor)
                .then().statusCode(200).contentType(startsWith("application/json")).extract().jsonPath();
        assertEquals(ids, json.getList("id", Long.class));
        assertEquals("entry 1", json.getString("[0].summary"));
        assertTrue(json.getString("[0].at").endsWith("Z"), json.getString("[0].at"));

        // the same filters as the search
        given().header("Authorization", "Bearer " + token).get("/api/v1/audit/export?actor=" + actor + "&to=2000-01-01")
                .then().statusCode(200).body(equalTo("id,at,project_id,iid,kind,actor,outcome,summary,trigger,gitlab_ref,gitlab_url\r\n"));
        given().get("/api/v1/audit/export").then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Bearer " + token).get("/api/v1/audit/export?format=xml")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void withoutLoginConfiguredThePagesSaySoAndPublicPathsStayOpen() {
        for (String page : List.of("/", "/queue", "/audit", "/projects/1/tickets/1")) {
            Response r = given().redirects().follow(false).get(page);
            assertEquals(503, r.statusCode(), page);
            assertTrue(r.contentType().startsWith("text/html"), r.contentType());
            assertTrue(r.asString().contains("Login not configured") && r.asString().contains("COUNTERSIGN_OIDC_CLIENT_ID"));
            assertTrue(r.header("Content-Security-Policy").contains("script-src 'none'"), page);
        }
        given().get("/q/health/live").then().statusCode(200);
        given().get("/countersign.css").then().statusCode(200).contentType(startsWith("text/css"));
    }

    @Test
    void theApiIsDocumentedByOpenApi() {
        String doc = given().get("/q/openapi").then().statusCode(200).extract().asString();
        for (String path : List.of("/api/v1/queue", "/api/v1/projects/{projectId}/tickets/{iid}", "/api/v1/audit",
                "/api/v1/audit/export",
                "/api/v1/tokens", "/api/v1/tokens/{id}")) {
            assertTrue(doc.contains(path + ":"), path + " in\n" + doc);
        }
        assertTrue(doc.contains("application/problem+json"), doc);
        assertFalse(doc.contains("/projects/{projectId}/tickets/{iid}:\n    get:\n      tags:\n      - Pages"), "pages hidden");
    }
}
