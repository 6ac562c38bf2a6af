package org.countersign.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.countersign.gitlab.sim.WebhookDelivery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL unreachable while the service runs, for real: the service talks to the database through a
 * {@link DatabaseProxy} that the test cuts (connections reset, new ones refused) or turns into a
 * blackhole (nothing answers, nothing closes). Meanwhile a webhook is never acknowledged with a 202 it
 * cannot keep — 503 with Retry-After, within GitLab's 10 s — readiness is DOWN, and no worker dies: once
 * the database is back, everything resumes without a restart and closes made meanwhile are enforced.
 */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
@QuarkusTestResource(value = OutageWorld.class, restrictToAnnotatedClass = true)
class DatabaseOutageTest extends E2eSupport {

    private static final String PATH = "/webhooks/gitlab";
    /** GitLab gives up on a webhook after this, and counts it as a failure. */
    private static final Duration GITLAB_TIMEOUT = Duration.ofSeconds(10);

    private DatabaseProxy database;

    @BeforeEach
    void databaseUp() {
        database = OutageWorld.database();
        database.restore();
        assertTrue(database.accepted() > 0, "the service reaches PostgreSQL through the proxy");
    }

    @AfterEach
    void databaseBack() {
        database.restore();
    }

    private Response postIssueHook(long iid) {
        return given().header("X-Gitlab-Event", "Issue Hook").header("X-Gitlab-Token", GitLabWorld.SECRET)
                .header("Idempotency-Key", UUID.randomUUID().toString()).contentType("application/json")
                .body(HookFixtures.json("issue-hook.json", project.id(), iid)).post(PATH);
    }

    private static int readiness() {
        return given().get("/q/health/ready").statusCode();
    }

    private static double metric(String outcome) {
        String line = given().get("/q/metrics").asString().lines()
                .filter(l -> l.startsWith("countersign_deliveries_total{") && l.contains("outcome=\"" + outcome + "\""))
                .findFirst().orElse(null);
        return line == null ? 0 : Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    /** The webhooks GitLab sent since delivery number {@code from} (all of them sent). */
    private List<WebhookDelivery> sentSince(int from) {
        sim.awaitWebhooksSent();
        List<WebhookDelivery> all = sim.webhookDeliveries();
        return all.subList(from, all.size());
    }

    @Test
    void whileTheDatabaseIsDownWebhooksGet503AndNothingIsLostOnceItIsBack() throws Exception {
        long iid = newTicket("Rotate the backup encryption keys");
        settle();
        double unavailableBefore = metric("unavailable");

        database.cut();

        long start = System.nanoTime();
        postIssueHook(iid).then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", "30").body("status", equalTo(503));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(GITLAB_TIMEOUT) < 0, "answered in " + took.toMillis() + " ms");
        given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
        given().get("/q/health/live").then().statusCode(200);

        // Bob closes the ticket without review during the outage; GitLab's webhook for it fails.
        int sent = sim.webhookDeliveries().size();
        sim.close(world.bob, project, iid);
        List<WebhookDelivery> duringOutage = sentSince(sent);
        assertFalse(duringOutage.isEmpty());
        for (WebhookDelivery d : duringOutage) {
            assertEquals(503, d.responseStatus(), d + ": " + d.error());
        }
        // the workers and the reconciliation (every 2 s in tests) fail a few rounds meanwhile: nothing can be
        // decided without the database, and nothing falls over
        // (other threads failing on the database meanwhile is the point, not a test failure)
        await().dontCatchUncaughtExceptions().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> issue(iid).isClosed() && readiness() == 503);
        assertTrue(metric("unavailable") >= unavailableBefore + 1 + duringOutage.size());
        assertEquals(503, readiness());

        database.restore();

        await().atMost(PATIENCE).until(() -> readiness() == 200);
        // GitLab's webhook for the close can be sent again (a manual resend keeps its Idempotency-Key);
        // whichever comes first, it or the next reconciliation pass, undoes the close
        sim.enableWebhook(world.hook);
        WebhookDelivery resent = sim.redeliver(duringOutage.get(0).id());
        awaitIssue(iid, i -> !i.isClosed());
        awaitBotNote(iid, b -> b.contains("reopened"));
        sim.awaitWebhooksSent();
        assertEquals(202, sim.webhookDeliveries().get((int) resent.id()).responseStatus(), "the resent webhook is stored");

        // every worker survived: a close made now is stored from its webhook and undone
        long late = newTicket("Upgrade the kernel on the mail relay");
        settle();
        sent = sim.webhookDeliveries().size();
        sim.close(world.bob, project, late);
        for (WebhookDelivery d : sentSince(sent)) {
            assertEquals(202, d.responseStatus(), d + ": " + d.error());
        }
        awaitIssue(late, i -> !i.isClosed());
        awaitBotNote(late, b -> b.contains("reopened"));
        settle();
        assertEquals(1, botNotes(iid).size(), "one note for the close made during the outage");
        assertEquals(1, botNotes(late).size());
    }

    @Test
    void aPartitionedDatabaseNeverHoldsAWebhookPastGitLabsTimeout() throws Exception {
        long iid = newTicket("Renew the VPN certificates");
        settle();

        database.blackhole();

        long start = System.nanoTime();
        postIssueHook(iid).then().statusCode(503).header("Retry-After", "30");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofMillis(9_500)) < 0, "answered in " + took.toMillis() + " ms");
        // GitLab's own delivery (10 s timeout) gets its 503 too, instead of timing out
        int sent = sim.webhookDeliveries().size();
        sim.close(world.bob, project, iid);
        for (WebhookDelivery d : sentSince(sent)) {
            assertEquals(503, d.responseStatus(), d + ": " + d.error());
        }
        assertEquals(503, readiness());

        database.restore();

        await().atMost(PATIENCE).until(() -> readiness() == 200);
        await().atMost(PATIENCE).until(() -> postIssueHook(iid).statusCode() == 202);
        awaitIssue(iid, i -> !i.isClosed());
        awaitBotNote(iid, b -> b.contains("reopened"));
        settle();
        assertEquals(1, botNotes(iid).size());
    }
}
