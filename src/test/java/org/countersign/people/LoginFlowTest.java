package org.countersign.people;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URI;
import java.net.URL;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.countersign.e2e.E2eSupport;
import org.countersign.e2e.GitLabWorld;
import org.countersign.gitlab.sim.SimNote;
import org.countersign.gitlab.sim.SimUser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Log in with GitLab, against the simulated GitLab's OpenID Connect provider (SimOidcProvider, which
 * follows GitLab's discovery document, endpoints and claims): an unauthenticated page goes to GitLab's
 * /oauth/authorize, comes back through /login/callback, and the person sees only the watched projects
 * they are a member of; the webhook, health and static paths never ask for a login; notes link here.
 */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
@QuarkusTestResource(value = LoginWorld.class, restrictToAnnotatedClass = true)
class LoginFlowTest extends E2eSupport {

    @TestHTTPResource("/")
    URL root;

    private LoginWorld login;

    @BeforeEach
    void registerCallback() {
        login = LoginWorld.currentLogin();
        login.app = sim.oidc().setRedirectUri(login.app, root.toString().replaceAll("/$", "") + GitLabLogin.CALLBACK);
    }

    /** A browser's cookie jar for the service, filled by walking the login as a browser would (no JavaScript). */
    final class Session {
        final Map<String, String> cookies = new HashMap<>();

        Response get(String pathOrUrl) {
            Response r = given().redirects().follow(false).cookies(cookies).get(pathOrUrl);
            r.getDetailedCookies().asList().forEach(c -> {
                if (c.getMaxAge() == 0 || c.getValue().isEmpty()) {
                    cookies.remove(c.getName());
                } else {
                    cookies.put(c.getName(), c.getValue());
                }
            });
            return r;
        }
    }

    /** Asks for {@code page} and follows the login with GitLab as {@code who} (signed in to GitLab already). */
    private Session logIn(SimUser who, String page) {
        Session s = new Session();
        Response first = s.get(page);
        assertEquals(302, first.statusCode(), first.asString());
        String authorize = first.header("Location");
        assertTrue(authorize.startsWith(sim.baseUrl() + "/oauth/authorize?"), authorize);
        Response atGitLab = given().redirects().follow(false).cookie("_gitlab_session", sim.oidc().signIn(who))
                .urlEncodingEnabled(false).get(authorize);
        assertEquals(302, atGitLab.statusCode(), atGitLab.asString());
        String callback = atGitLab.header("Location");
        assertTrue(callback.contains(GitLabLogin.CALLBACK + "?") && callback.contains("code="), callback);
        Response back = given().redirects().follow(false).cookies(s.cookies).urlEncodingEnabled(false).get(callback);
        back.getDetailedCookies().asList().forEach(c -> s.cookies.put(c.getName(), c.getValue()));
        assertEquals(302, back.statusCode(), back.asString());
        assertTrue(back.header("Location").endsWith(page), "back to the page asked for: " + back.header("Location"));
        return s;
    }

    @Test
    void anUnauthenticatedPageGoesToGitLabsAuthorizeEndpoint() {
        Response r = given().redirects().follow(false).get("/queue");
        assertEquals(302, r.statusCode());
        URI location = URI.create(r.header("Location"));
        assertEquals(sim.baseUrl() + "/oauth/authorize", location.getScheme() + "://" + location.getAuthority() + location.getPath());
        String q = location.getRawQuery();
        assertTrue(q.contains("client_id=" + login.app.clientId()), q);
        assertTrue(q.contains("response_type=code") && q.contains("scope=openid") && q.contains("state="), q);
        assertTrue(q.contains("redirect_uri=" + java.net.URLEncoder.encode(login.app.redirectUri(), java.nio.charset.StandardCharsets.UTF_8)), q);

        // the API never redirects: without a token or session it is a 401 problem
        given().redirects().follow(false).get("/api/v1/queue").then().statusCode(401)
                .contentType("application/problem+json");

        // not signed in to GitLab either: GitLab asks for the sign-in first
        Response gitlab = given().redirects().follow(false).urlEncodingEnabled(false).get(r.header("Location"));
        assertEquals(302, gitlab.statusCode());
        assertTrue(gitlab.header("Location").startsWith(sim.baseUrl() + "/users/sign_in"), gitlab.header("Location"));
    }

    @Test
    void aReviewerLogsInAndSeesTheQueueWithWhatIsTheirsToSignOff() {
        long iid = newTicket("Patch the hypervisors");
        toReview(world.bob, iid);
        long signed = newTicket("Renew the DNSSEC keys");
        toReview(world.bob, signed);
        sim.comment(world.carol, project, signed, "/signoff new DS record published, resolvers validate");
        awaitBotNote(signed, b -> b.contains("Sign-off by @carol recorded"));
        settle();

        Session carol = logIn(world.carol, "/queue");
        String all = carol.get("/queue").then().statusCode(200).extract().asString();
        assertTrue(all.contains("Logged in as <strong>@carol</strong>"), all);
        assertTrue(all.contains("#" + iid + " Patch the hypervisors"), all);
        String mine = carol.get("/queue?mine=true").then().statusCode(200).extract().asString();
        assertTrue(mine.contains("#" + iid + " Patch the hypervisors"), "carol may sign it off:\n" + mine);
        assertTrue(all.contains("Renew the DNSSEC keys") && !mine.contains("Renew the DNSSEC keys"),
                "signed off already, nothing left to do for carol:\n" + mine);

        Session bob = logIn(world.bob, "/queue?mine=true");
        String bobs = bob.get("/queue?mine=true").then().statusCode(200).extract().asString();
        assertFalse(bobs.contains("Patch the hypervisors"), "bob did the work, it is not his to sign off:\n" + bobs);

        // logging out ends the Countersign session: the next page goes through GitLab again
        Response out = carol.get("/logout");
        assertEquals(200, out.statusCode());
        assertTrue(out.asString().contains("logged out of Countersign"), out.asString());
        assertEquals(302, carol.get("/queue").statusCode());
        carol = logIn(world.carol, "/queue");

        // the session also reads the API, as the person
        List<Object> mineApi = given().cookies(carol.cookies).get("/api/v1/queue?mine=true").then().statusCode(200)
                .extract().jsonPath().getList("items.iid");
        assertTrue(mineApi.contains((int) iid), mineApi.toString());
        Map<String, Object> signedItem = given().cookies(carol.cookies).get("/api/v1/queue").then().statusCode(200)
                .extract().jsonPath().<Map<String, Object>>getList("items").stream()
                .filter(i -> ((Number) i.get("iid")).longValue() == signed).findFirst().orElseThrow();
        assertEquals("READY_TO_CLOSE", signedItem.get("verdict"));
        assertEquals(List.of("dave"), signedItem.get("eligibleReviewers"), "carol's sign-off already counts: " + signedItem);
    }

    @Test
    void aTicketPageExplainsTheDecisionAndEveryNoteLinksToIt() {
        long iid = newTicket("Resize the log partition");
        sim.dragToClosed(world.bob, project, iid);
        SimNote note = awaitBotNote(iid, b -> b.contains("reopened"));
        String page = "/projects/" + project.id() + "/tickets/" + iid;
        assertTrue(note.body().contains("(" + LoginWorld.PUBLIC_URL + page + ")"), note.body());
        settle();

        Session dave = logIn(world.dave, page);
        String html = dave.get(page).then().statusCode(200).extract().asString();
        assertTrue(html.contains("Resize the log partition"), html);
        // the latest decision is shown (rejected, or back in progress once re-evaluated after the reopen);
        // the timeline keeps the rejection with its reasons either way
        assertTrue(html.contains("close rejected") || html.contains("in progress"), html);
        assertTrue(html.contains("CLOSE_REJECTED"), html);
        assertTrue(html.contains("It was not in the <strong>To validate</strong> column when it was closed."), html);
        assertTrue(html.contains("@alice (author)") && html.contains("@bob (assignee)"), html);
        assertTrue(html.contains("0 of 1 required sign-offs: 1 missing"), html);
        assertTrue(html.contains("Audit timeline") && html.contains("/-/issues/" + iid + "\""), html);
    }

    @Test
    void aPersonSeesOnlyProjectsTheyAreAMemberOf() {
        long iid = newTicket("Rotate the VPN keys");
        toReview(world.bob, iid);
        settle();
        String page = "/projects/" + project.id() + "/tickets/" + iid;

        Session oscar = logIn(world.oscar, "/");
        seesNothingOf(oscar, page, "Rotate the VPN keys");

        Session rita = logIn(world.rita, "/");   // a Reporter is a member: she sees it, though she may not sign off
        String ritaOverview = rita.get("/").asString();
        assertTrue(ritaOverview.contains(GitLabWorldPath.PATH));
        // tickets per column: the board's lists between Open and Closed
        assertTrue(ritaOverview.contains("Tickets per column") && ritaOverview.contains("<td>Open</td>")
                && ritaOverview.contains("<td>To validate</td>") && ritaOverview.contains("<td>Closed</td>"), ritaOverview);
        String ticketHtml = rita.get(page).then().statusCode(200).extract().asString();
        assertTrue(ticketHtml.contains("moved there by @bob."), ticketHtml);
    }

    @Test
    void theAuditPageSearchesAndLinksTheExports() {
        long iid = newTicket("Replace the UPS batteries");
        sim.dragToClosed(world.bob, project, iid);
        awaitBotNote(iid, b -> b.contains("reopened"));
        settle();
        Session carol = logIn(world.carol, "/audit");
        String html = carol.get("/audit?project=" + project.id() + "&ticket=" + iid).then().statusCode(200).extract().asString();
        assertTrue(html.contains("CLOSE_REJECTED"), html);
        // the exports are the whole search, not a page of it
        String query = "project=" + project.id() + "&amp;ticket=" + iid;
        assertTrue(html.contains("/api/v1/audit/export?" + query + "&amp;format=csv")
                && html.contains("/api/v1/audit/export?" + query + "&amp;format=json"), html);
        String csv = given().cookies(carol.cookies).get("/api/v1/audit/export?project=" + project.id() + "&ticket=" + iid
                + "&format=csv").then().statusCode(200).extract().asString();
        assertTrue(csv.startsWith("id,at,project_id,iid") && csv.contains("CLOSE_REJECTED"), csv);
        // what a person may not see is not exported to them either
        Session oscar = logIn(world.oscar, "/audit");
        assertEquals("id,at,project_id,iid,kind,actor,outcome,summary,trigger,gitlab_ref,gitlab_url\r\n",
                given().cookies(oscar.cookies).get("/api/v1/audit/export?format=csv").then().statusCode(200).extract().asString());
    }

    /** A search the page cannot run is the person's mistake: the page says which field, with a 400, in HTML. */
    @Test
    void badSearchValuesAnswer400PagesNamingTheField() {
        Session carol = logIn(world.carol, "/audit");
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("from=yesterday", "from must be a date");
        bad.put("project=x", "project must be a whole number");
        bad.put("project=1&ticket=abc", "ticket must be a whole number");
        bad.put("page=abc", "page must be a whole number");
        bad.put("page=9999999999", "page must be a whole number");
        bad.put("from=%2B300000-01-01T00:00:00Z", "from must fall in the years 1970 to 9999");
        bad.put("to=-5000-01-01T00:00:00Z", "to must fall in the years 1970 to 9999");
        for (Map.Entry<String, String> b : bad.entrySet()) {
            Response r = given().redirects().follow(false).cookies(carol.cookies).urlEncodingEnabled(false)
                    .get("/audit?" + b.getKey());
            assertEquals(400, r.statusCode(), b.getKey() + ": " + r.asString());
            assertTrue(r.contentType().startsWith("text/html"), b.getKey() + ": " + r.contentType());
            assertTrue(r.asString().contains(b.getValue()) && r.asString().contains("<form method=\"get\" action=\"/audit\""),
                    b.getKey() + ": " + r.asString());
        }
        Response mine = carol.get("/queue?mine=garbage");
        assertEquals(400, mine.statusCode(), mine.asString());
        assertTrue(mine.contentType().startsWith("text/html") && mine.asString().contains("mine must be true or false"),
                mine.asString());
        assertEquals(200, carol.get("/queue?mine=false").statusCode());
    }

    /**
     * GitLab shows Guests neither confidential issues nor internal notes: "View confidential issues" needs
     * Reporter (docs/user/permissions.md); gitlabhq app/policies/project_policy.rb enables
     * read_confidential_issues with the Reporter role and {@code rule { admin | can?(:reporter_access) }
     * .enable :read_internal_note}. Countersign shows both (titles, sign-off texts, audit summaries), so a
     * Guest member is treated as no member at all.
     */
    @Test
    void aGuestSeesNoProjectAsIfNoMember() {
        long iid = newTicket("Rotate the root CA (confidential)");
        toReview(world.bob, iid);
        settle();
        String page = "/projects/" + project.id() + "/tickets/" + iid;

        Session gwen = logIn(login.gwen, "/");
        seesNothingOf(gwen, page, "Rotate the root CA");
        // a Reporter, one role up, sees it
        assertEquals(200, logIn(world.rita, page).get(page).statusCode());
    }

    /** {@code who} sees no watched project: not on the pages, not through the API, not the ticket at {@code page}. */
    private void seesNothingOf(Session who, String page, String title) {
        String overview = who.get("/").then().statusCode(200).extract().asString();
        assertTrue(overview.contains("not a member of any project"), overview);
        assertFalse(overview.contains(GitLabWorldPath.PATH), overview);
        assertEquals(404, who.get(page).statusCode());
        assertFalse(who.get("/queue").asString().contains(title));
        given().cookies(who.cookies).get("/api/v1" + page).then().statusCode(404).contentType("application/problem+json");
        given().cookies(who.cookies).get("/api/v1/projects/" + project.id() + "/columns").then().statusCode(404)
                .contentType("application/problem+json");
        assertEquals(0, given().cookies(who.cookies).get("/api/v1/audit").then().statusCode(200).extract().jsonPath()
                .getLong("total"));
        assertTrue(given().cookies(who.cookies).get("/api/v1/queue").then().statusCode(200).extract().jsonPath()
                .getList("items").isEmpty());
    }

    @jakarta.inject.Inject
    org.countersign.store.WatchedProjects watched;

    @jakarta.inject.Inject
    io.agroal.api.AgroalDataSource db;

    /**
     * A watched project whose members GitLab will not list just now is hidden from the person, with a
     * notice, while every page and the API answer as usual with the other projects.
     */
    @Test
    void aProjectWhoseMembersGitLabCannotListIsHiddenWithANoticeNeverA500() throws Exception {
        long iid = newTicket("Renew the HSM certificates");
        toReview(world.bob, iid);
        settle();
        org.countersign.gitlab.sim.SimProject flaky = sim.createProject("infra/flaky-" + System.nanoTime());
        sim.addMember(flaky, world.bot, org.countersign.gitlab.sim.GitLabSimulator.DEVELOPER);
        sim.addMember(flaky, world.carol, org.countersign.gitlab.sim.GitLabSimulator.DEVELOPER);
        Session carol = logIn(world.carol, "/");
        // the watched project's members are read (and cached) before GitLab starts failing
        assertTrue(carol.get("/").asString().contains(GitLabWorldPath.PATH));
        watched.ensure(flaky.id(), flaky.pathWithNamespace(), sim.baseUrl() + "/" + flaky.pathWithNamespace(),
                java.time.Instant.now());
        sim.failNext(10_000, 500, "GET", "/projects/:id/members/all");
        try {
            String notice = "GitLab could not be asked whether you are a member of 1 project; it is hidden until it answers.";
            String overview = carol.get("/").then().statusCode(200).extract().asString();
            assertTrue(overview.contains(notice), overview);
            assertTrue(overview.contains(GitLabWorldPath.PATH) && !overview.contains(flaky.pathWithNamespace()), overview);
            for (String path : List.of("/queue", "/queue?mine=true", "/audit", "/projects/" + project.id() + "/tickets/" + iid)) {
                String html = carol.get(path).then().statusCode(200).extract().asString();
                assertTrue(html.contains(notice), path + ": " + html);
            }
            assertTrue(carol.get("/queue").asString().contains("Renew the HSM certificates"));
            assertEquals(404, carol.get("/projects/" + flaky.id() + "/tickets/1").statusCode());
            for (String api : List.of("/api/v1/queue", "/api/v1/audit", "/api/v1/projects/" + project.id() + "/tickets/" + iid)) {
                // what the pages say in a notice, the API says in a header
                given().cookies(carol.cookies).get(api).then().statusCode(200).header(HiddenProjectsHeader.HEADER, "1");
            }
            given().cookies(carol.cookies).get("/api/v1/projects/" + flaky.id() + "/columns").then().statusCode(404);
        } finally {
            sim.clearFaults();
        }
        // once GitLab answers, the project is back and the notice gone
        String again = carol.get("/").then().statusCode(200).extract().asString();
        assertTrue(again.contains(flaky.pathWithNamespace()) && !again.contains("could not be asked whether"), again);
        given().cookies(carol.cookies).get("/api/v1/queue").then().statusCode(200).header(HiddenProjectsHeader.HEADER,
                org.hamcrest.Matchers.nullValue());
        try (java.sql.Connection c = db.getConnection();
             java.sql.PreparedStatement s = c.prepareStatement("DELETE FROM watched_project WHERE project_id = ?")) {
            s.setLong(1, flaky.id());
            s.executeUpdate();
        }
    }

    /**
     * The pages run no script at all: none in the HTML (no script element, no inline handler, no
     * javascript: link), and a Content-Security-Policy that would stop any that slipped in, on every
     * page, error pages included.
     */
    @Test
    void everyPageCarriesTheCspHeaderAndNoScript() {
        long iid = newTicket("Replace the <script>alert(1)</script> fan");
        toReview(world.bob, iid);
        settle();
        Session dave = logIn(world.dave, "/");
        for (String path : List.of("/", "/queue", "/queue?mine=true", "/audit", "/audit?project=" + project.id(),
                "/projects/" + project.id() + "/tickets/" + iid, "/projects/" + project.id() + "/tickets/999999",
                "/audit?from=yesterday", "/queue?mine=maybe", "/logout")) {
            Response r = dave.get(path);
            assertTrue(List.of(200, 400, 404).contains(r.statusCode()), path + ": " + r.statusCode());
            assertTrue(r.contentType().startsWith("text/html"), path + ": " + r.contentType());
            String csp = r.header("Content-Security-Policy");
            assertTrue(csp != null && csp.contains("script-src 'none'") && csp.contains("default-src 'self'")
                    && csp.contains("frame-ancestors 'none'"), path + ": " + csp);
            assertEquals("no-store", r.header("Cache-Control"), path);
            String html = r.asString().toLowerCase(java.util.Locale.ROOT);
            assertFalse(html.contains("<script") || html.contains("javascript:")
                    || html.matches("(?s).*<[^>]*\\son[a-z]+\\s*=.*"), path + ":\n" + r.asString());
        }
        // the title with markup is shown as text, escaped
        assertTrue(logIn(world.dave, "/queue").get("/queue").asString().contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    @Test
    void webhookHealthAndStaticPathsNeverAskForALogin() {
        given().redirects().follow(false).get("/q/health/live").then().statusCode(200);
        given().redirects().follow(false).get("/countersign.css").then().statusCode(200);
        for (String open : List.of("/status", "/badge/x.svg", "/ping/x")) {
            int status = given().redirects().follow(false).get(open).statusCode();
            assertNotEquals(302, status, open);
            assertNotEquals(401, status, open);
        }
        // a close still gets undone: the webhook intake is not behind the login
        long iid = newTicket("Swap a failed disk");
        sim.dragToClosed(world.bob, project, iid);
        awaitIssue(iid, i -> !i.isClosed());
        assertTrue(sim.oidc().requests().stream().noneMatch(r -> r.contains("/webhooks")));
    }

    /** Where GitLab's (simulated) project lives, for page assertions. */
    static final class GitLabWorldPath {
        static final String PATH = org.countersign.e2e.GitLabWorld.PROJECT_PATH;
    }
}
