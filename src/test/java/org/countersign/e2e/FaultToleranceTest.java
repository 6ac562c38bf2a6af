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
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.countersign.gitlab.sim.SimNote;
import org.countersign.gitlab.sim.SimStateEvent;
import org.countersign.policy.Action;
import org.countersign.policy.Wording;
import org.countersign.runtime.ReconcileJob;
import org.countersign.workflow.ApplyAction;
import org.countersign.workflow.ReconcileProjects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** GitLab failing, throttling or losing webhooks: enforcement is delayed, never lost, never doubled. */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
class FaultToleranceTest extends E2eSupport {

    private static final String ADMIN = "Bearer test-admin-token";

    @Inject
    ApplyAction applyAction;

    @Inject
    ReconcileProjects reconcile;

    @Inject
    Scheduler scheduler;

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
        String closeRef = key.substring("close-rejected:".length());

        // the worker died after GitLab applied these but before it recorded them: the retry comes again
        assertEquals("SKIPPED", applyAction.apply(project.id(), iid, new Action.ExplainRejectedClose(closeRef, "again"), true, Optional.empty())
                .status());
        assertEquals("SKIPPED", applyAction.apply(project.id(), iid, new Action.Reopen(closeRef, List.of()), true, Optional.empty()).status());
        assertEquals(1, botNotes(iid).size());
        assertTrue(Wording.hasMarker(note.body(), key));

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
    void aPassWhereNothingChangedCostsAtMostTwoCallsPerProject() {
        newTicket("Something that settles");
        settle();
        passNow();
        // the scheduled passes (every 2 s in tests) would add their own calls to the count
        scheduler.pause(ReconcileJob.JOB);
        try {
            await().atMost(PATIENCE).until(() -> reconcile.run().ran()); // a scheduled pass may still be finishing
            sim.resetRequestCounts();
            assertTrue(reconcile.run().ran());
            assertTrue(sim.totalRequests() <= 2, sim.requestCounts().toString());
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

    private long lastCloseId(long iid) {
        List<SimStateEvent> closes = sim.stateEvents(project, iid).stream().filter(e -> e.state().equals("closed")).toList();
        return closes.get(closes.size() - 1).id();
    }

    /** Runs one reconciliation pass now (waiting for a scheduled one to release the lease). */
    private void passNow() {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() -> reconcile.run().ran());
    }

}
