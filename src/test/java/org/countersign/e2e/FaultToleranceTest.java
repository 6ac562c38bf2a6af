package org.countersign.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.countersign.gitlab.sim.SimNote;
import org.countersign.gitlab.sim.SimStateEvent;
import org.countersign.policy.Action;
import org.countersign.policy.Wording;
import org.countersign.runtime.ReconcileJob;
import org.countersign.store.AuditLog;
import org.countersign.store.AuditRecord;
import org.countersign.workflow.ApplyAction;
import org.countersign.workflow.ReconcileProjects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * GitLab failing, throttling, refusing or losing webhooks: enforcement is delayed, never lost, never
 * doubled; what needs an operator says so, and what the operator fixes on GitLab's side resumes by itself.
 */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
class FaultToleranceTest extends E2eSupport {

    private static final String ADMIN = "Bearer test-admin-token";
    private static final String NOTES = "/projects/:id/issues/:iid/notes";
    private static final String ISSUE = "/projects/:id/issues/:iid";

    @Inject
    ApplyAction applyAction;

    @Inject
    ReconcileProjects reconcile;

    @Inject
    Scheduler scheduler;

    @Inject
    AuditLog audit;

    @Inject
    DataSource dataSource;

    @AfterEach
    void healGitLab() {
        sim.clearFaults();
        sim.setLatency(Duration.ZERO);
    }

    @Test
    void gitLabErrorsAndThrottlingAreRetriedUntilEnforced() {
        long iid = newTicket("Upgrade the firewall");
        settle();
        // every kind of call fails for a while: 500s, then 429 with Retry-After
        sim.failNext(2, 500);
        sim.failNext(2, 429);
        sim.close(world.bob, project, iid);

        awaitIssue(iid, i -> !i.isClosed());
        awaitBotNote(iid, b -> b.contains("reopened"));
        settle();
        assertEquals(1, botNotes(iid).size());
        long reopens = sim.stateEvents(project, iid).stream()
                .filter(e -> e.user().id() == world.bot.id() && e.state().equals("reopened")).count();
        assertEquals(1, reopens);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("countersign_retries_total"), "retries are counted");
        assertTrue(metrics.contains("countersign_gitlab_requests_seconds_count"), "GitLab calls are timed");
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("countersign_gitlab_requests_seconds_count")
                && (l.contains("status=\"500\"") || l.contains("status=\"429\""))), "GitLab errors are counted by status");
    }

    @Test
    void aRetryAfterACrashNeverRepeatsTheEffect() {
        long iid = newTicket("Renew the wildcard certificate");
        sim.close(world.bob, project, iid);
        SimNote note = awaitBotNote(iid, b -> b.contains("reopened"));
        settle();
        String key = note.body().substring(note.body().indexOf("<!-- countersign:") + 17, note.body().indexOf(" -->"));
        // the marker names the close GitLab recorded, so the marker check below looks for the right note
        assertEquals("close-rejected:" + lastCloseId(iid), key, note.body());
        assertTrue(note.body().stripTrailing().endsWith(Wording.marker(key)), note.body());
        String closeRef = key.substring("close-rejected:".length());

        // the worker died after GitLab applied these but before it recorded them: the retry comes again
        assertEquals("SKIPPED", applyAction.apply(project.id(), iid, new Action.ExplainRejectedClose(closeRef, "again"), true, Optional.empty())
                .status());
        assertEquals("SKIPPED", applyAction.apply(project.id(), iid, new Action.Reopen(closeRef, List.of()), true, Optional.empty()).status());
        assertEquals(1, botNotes(iid).size());

        // a stale reopen of an old close never reopens a later, valid close
        toReview(world.bob, iid);
        sim.comment(world.carol, project, iid, "/signoff verified the chain with openssl");
        awaitBotNote(iid, b -> b.contains("Sign-off by @carol recorded"));
        sim.close(world.bob, project, iid);
        settle();
        assertEquals("SKIPPED", applyAction.apply(project.id(), iid, new Action.Reopen(closeRef, List.of()), true, Optional.empty()).status());
        assertTrue(issue(iid).isClosed());
    }

    @Test
    void anActionThatKeepsFailingIsParkedVisiblyAndCanBeRetried() {
        long iid = newTicket("Migrate the wiki");
        settle();
        sim.failNext(1000, 500, "POST", "/projects/:id/issues/:iid/notes");
        sim.close(world.bob, project, iid);
        awaitIssue(iid, i -> !i.isClosed()); // the reopen itself works

        await().atMost(PATIENCE).until(() -> actions.counts().getOrDefault("DEAD", 0L) > 0);
        given().get("/q/health/well").then().statusCode(503).body("status", equalTo("DOWN"));
        given().get("/q/health/ready").then().statusCode(200);
        JsonPath dead = given().header("Authorization", ADMIN).get("/admin/dead-letters").then().statusCode(200)
                .extract().jsonPath();
        List<String> keys = dead.getList("actions.key");
        assertTrue(keys.contains("close-rejected:" + lastCloseId(iid)), keys.toString());
        assertTrue(dead.getString("actions[0].lastError").contains("HTTP 500"), dead.prettify());
        given().get("/admin/dead-letters").then().statusCode(401).contentType("application/problem+json");

        sim.clearFaults();
        long id = dead.getLong("actions.find { it.key == 'close-rejected:" + lastCloseId(iid) + "' }.id");
        given().header("Authorization", ADMIN).post("/admin/dead-letters/actions/" + id + "/retry").then().statusCode(200);
        awaitBotNote(iid, b -> b.contains("reopened"));
        settle();
        given().get("/q/health/well").then().statusCode(200);
        given().header("Authorization", ADMIN).post("/admin/dead-letters/actions/" + id + "/retry").then().statusCode(404);
    }

    @Test
    void aPassWhereNothingChangedCostsAtMostThreeCallsPerProject() {
        newTicket("Something that settles");
        settle();
        passNow();
        // the scheduled passes (every 2 s in tests) would add their own calls to the count
        scheduler.pause(ReconcileJob.JOB);
        try {
            await().atMost(PATIENCE).until(() -> reconcile.run().ran()); // a scheduled pass may still be finishing
            sim.resetRequestCounts();
            assertTrue(reconcile.run().ran());
            // the issue listing, the hooks, and (issue 10) the project's .countersign.yml; the default branch
            // the file is read from is cached, so GET /projects/:id is not part of a quiet pass
            assertTrue(sim.totalRequests() <= 3, sim.requestCounts().toString());
            assertTrue(!sim.requestCounts().containsKey("GET /projects/:id"), sim.requestCounts().toString());
        } finally {
            scheduler.resume(ReconcileJob.JOB);
        }
    }

    @Test
    void aWebhookDisabledByGitLabIsReportedAndReconciliationKeepsEnforcing() {
        settle();
        sim.setWebhookUrl(world.hook, "http://127.0.0.1:9/down");
        long iid = newTicket("Clean old snapshots"); // open + move: 2 failed deliveries
        sim.addLabels(world.alice, project, iid, "maintenance");
        sim.removeLabels(world.alice, project, iid, "maintenance"); // 4 failures: GitLab disables the hook
        sim.awaitWebhooksSent();
        assertTrue(!sim.webhook(world.hook).executable(), sim.webhook(world.hook).toString());

        sim.close(world.bob, project, iid);
        passNow();
        given().get("/q/health/well").then().statusCode(503)
                .body("checks.find { it.name == 'gitlab webhooks' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'gitlab webhooks' }.data.'infra/interventions'", containsString("disabled"));
        awaitIssue(iid, i -> !i.isClosed()); // reconciliation did it

        sim.setWebhookUrl(world.hook, webhookUrl.toString());
        sim.enableWebhook(world.hook);
        passNow();
        given().get("/q/health/well").then()
                .body("checks.find { it.name == 'gitlab webhooks' }.status", equalTo("UP"));
    }

    @Test
    void aBotDemotedBelowDeveloperIsReportedAndEnforcesByItselfOnceItsRoleIsBack() throws SQLException {
        long iid = newTicket("Rotate the backup encryption keys");
        long other = newTicket("Renew the VPN certificates");
        settle();
        // the bot is demoted to Reporter: it still reads everything, GitLab refuses its issue updates
        sim.failNext(Integer.MAX_VALUE, 403, "PUT", ISSUE);
        sim.close(world.bob, project, iid);
        sim.close(world.bob, project, other);

        await().atMost(PATIENCE).until(() -> actions.counts().getOrDefault("BLOCKED", 0L) == 2);
        String reason = "the bot account lacks the rights to reopen issues on infra/interventions: give it the Developer role";
        assertTrue(wellnessProblems().stream().anyMatch(p -> p.contains(reason) && p.contains("2 actions blocked")),
                wellnessProblems().toString());
        given().get("/q/health/ready").then().statusCode(200);
        JsonPath parked = given().header("Authorization", ADMIN).get("/admin/dead-letters").then().statusCode(200).extract().jsonPath();
        List<String> blockedReasons = parked.getList("actions.findAll { it.status == 'BLOCKED' }.reason");
        assertEquals(2, blockedReasons.size(), parked.prettify());
        assertTrue(blockedReasons.stream().allMatch(r -> r.startsWith(reason)), parked.prettify());
        assertTrue(issue(iid).isClosed() && issue(other).isClosed(), "nothing could reopen them");
        assertTrue(audit.forTicket(project.id(), iid).stream().map(AuditRecord::outcome).anyMatch("BLOCKED"::equals),
                "the audit trail says why the close still stands");
        // blocked work is not hammered: one probe per cause and probe interval (1 s here), not one per item
        long puts = sim.requestCounts().getOrDefault("PUT " + ISSUE, 0L);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6))
                .until(() -> sim.requestCounts().getOrDefault("PUT " + ISSUE, 0L) - puts <= 4);

        // the bot is Developer again: no admin call, the first probe that gets through requeues both
        sim.clearFaults();
        awaitIssue(iid, i -> !i.isClosed());
        awaitIssue(other, i -> !i.isClosed());
        await().atMost(PATIENCE).until(() -> actions.counts().getOrDefault("BLOCKED", 0L) == 0);
        settle();
        given().get("/q/health/well").then().statusCode(200);
        assertEquals(0, actions.counts().getOrDefault("DEAD", 0L));
        for (long i : List.of(iid, other)) {
            assertEquals(1, sim.stateEvents(project, i).stream()
                    .filter(e -> e.user().id() == world.bot.id() && e.state().equals("reopened")).count());
            assertEquals(1, botNotes(i).size());
        }
        // one probe got through and requeued the other with it (a probe keeps the cause it tested; the
        // action thread is single, so the other could not have been probed on its own meanwhile)
        assertEquals(1L, queryLong("SELECT count(*) FROM pending_action WHERE project_id = ? AND iid IN (?, ?) "
                + "AND kind = 'REOPEN' AND blocked_cause IS NOT NULL", project.id(), iid, other));
    }

    @Test
    void deliveriesTheBotMayNotReadAreBlockedAndWorkedOffOnceItMayAgain() {
        long iid = newTicket("Patch the hypervisors");
        settle();
        sim.failNext(Integer.MAX_VALUE, 403, "GET", "/projects/:id/issues/:iid/resource_state_events");
        sim.close(world.bob, project, iid);

        await().atMost(PATIENCE).until(() -> deliveries.counts().getOrDefault("BLOCKED", 0L) > 0);
        String reason = "the bot account lacks the rights to read issues on infra/interventions: give it the Developer role";
        assertTrue(wellnessProblems().stream().anyMatch(p -> p.contains(reason) && p.contains("deliver")), wellnessProblems().toString());

        sim.clearFaults();
        await().atMost(PATIENCE).until(() -> deliveries.counts().getOrDefault("BLOCKED", 0L) == 0);
        awaitIssue(iid, i -> !i.isClosed());
        settle();
        assertEquals(0, deliveries.counts().getOrDefault("DEAD", 0L));
        given().get("/q/health/well").then().statusCode(200);
    }

    @Test
    void aRequestGitLabRefusesIsTriedTwiceThenParkedWithWhatGitLabSaid() {
        long iid = newTicket("Replace the core switch");
        settle();
        sim.resetRequestCounts();
        sim.failNext(1000, 422, "POST", NOTES);
        sim.close(world.bob, project, iid);

        await().atMost(PATIENCE).until(() -> actions.counts().getOrDefault("DEAD", 0L) > 0);
        settle();
        // three attempts (the test profile's max) would be a transient failure's share
        assertEquals(2L, sim.requestCounts().get("POST " + NOTES), sim.requestCounts().toString());
        String reason = "GitLab refused POST note on infra/interventions (422): 422 Error";
        assertTrue(wellnessProblems().stream().anyMatch(p -> p.contains(reason) && p.contains("dead")), wellnessProblems().toString());
        JsonPath dead = given().header("Authorization", ADMIN).get("/admin/dead-letters").then().statusCode(200).extract().jsonPath();
        Map<String, Object> action = dead.getMap("actions.find { it.key == 'close-rejected:" + lastCloseId(iid) + "' }");
        assertEquals("DEAD", action.get("status"), dead.prettify());
        assertEquals(reason, action.get("reason"), dead.prettify());
        assertTrue(String.valueOf(action.get("lastError")).contains("HTTP 422"), dead.prettify());

        sim.clearFaults();
        given().header("Authorization", ADMIN).post("/admin/dead-letters/actions/" + action.get("id") + "/retry").then().statusCode(200);
        awaitBotNote(iid, b -> b.contains("reopened"));
        settle();
        given().get("/q/health/well").then().statusCode(200);
    }

    @Test
    void rateLimitsThatNameNoWaitDelayANoteButNeverUseUpItsAttempts() throws SQLException {
        long iid = newTicket("Resize the database volume");
        settle();
        sim.resetRequestCounts();
        // GitLab's own limit on note creation (60/min on gitlab.com) answers 429 without Retry-After or
        // RateLimit-Reset: 20 in a row, far more than the test profile's 3 attempts
        sim.throttleNextWithoutHeaders(20, "POST", NOTES);
        sim.close(world.bob, project, iid);

        awaitIssue(iid, i -> !i.isClosed());
        await().atMost(Duration.ofSeconds(60)).until(() -> botNotes(iid).stream().anyMatch(n -> n.body().contains("reopened")));
        settle();
        assertEquals(21L, sim.requestCounts().get("POST " + NOTES), sim.requestCounts().toString());
        assertEquals(0, actions.counts().getOrDefault("DEAD", 0L));
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT status, attempts, throttles FROM pending_action "
                     + "WHERE project_id = ? AND iid = ? AND kind = 'POST_NOTE'")) {
            q.setLong(1, project.id());
            q.setLong(2, iid);
            try (ResultSet r = q.executeQuery()) {
                assertTrue(r.next());
                assertEquals("DONE", r.getString(1));
                assertEquals(1, r.getInt(2), "the 429s gave their attempts back: only the successful one counts");
                assertEquals(20, r.getInt(3));
            }
        }
    }

    private long queryLong(String sql, long... params) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement q = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                q.setLong(i + 1, params[i]);
            }
            try (ResultSet r = q.executeQuery()) {
                assertTrue(r.next());
                return r.getLong(1);
            }
        }
    }

    /** The data of the wellness check on parked work: one sentence per distinct problem. */
    private List<String> wellnessProblems() {
        JsonPath health = given().get("/q/health/well").then().statusCode(503).extract().jsonPath();
        assertEquals("DOWN", health.getString("checks.find { it.name == 'dead letters' }.status"), health.prettify());
        Map<String, Object> data = health.getMap("checks.find { it.name == 'dead letters' }.data");
        return data.entrySet().stream().filter(e -> e.getKey().startsWith("problem ")).map(e -> String.valueOf(e.getValue())).toList();
    }

    private long lastCloseId(long iid) {
        List<SimStateEvent> closes = sim.stateEvents(project, iid).stream().filter(e -> e.state().equals("closed")).toList();
        return closes.get(closes.size() - 1).id();
    }

    /** Runs one reconciliation pass now (waiting for a scheduled one to release the lease). */
    private void passNow() {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() -> reconcile.run().ran());
    }

}
