package org.countersign.e2e;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.countersign.gitlab.sim.GitLabSimulator;
import org.countersign.gitlab.sim.SimNote;
import org.countersign.store.AuditRecord;
import org.countersign.runtime.ReconcileJob;
import org.countersign.workflow.ReconcileProjects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Policy as code end to end: a project's {@code .countersign.yml} on its default branch, read through the
 * repository files API of the simulated GitLab, re-read on a Push Hook that touches it and at every
 * reconciliation pass. Valid, invalid (the last valid policy stays, /q/health/well names the line and
 * key), changed, removed (the environment applies again); every change audited with its commit.
 */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
@TestProfile(EmergencyWorldProfile.class)
class PolicyAsCodeTest extends E2eSupport {

    static final String FILE = ".countersign.yml";

    @Inject
    ReconcileProjects reconcile;

    @AfterEach
    void removeTheFile() {
        GitLabSimulator.SimPush removed = sim.deleteFile(world.alice, project, FILE);
        // 202 when the file was there, 200 (a push not touching it) when the test left none
        push(removed.hookBody()).then().statusCode(org.hamcrest.Matchers.oneOf(200, 202));
        awaitPolicy(d -> d.contains("the environment's defaults"));
    }

    private io.restassured.response.Response push(String body) {
        return given().header("X-Gitlab-Token", GitLabWorld.SECRET).header("X-Gitlab-Event", "Push Hook")
                .header("X-Gitlab-Event-UUID", java.util.UUID.randomUUID().toString()).contentType("application/json")
                .body(body).post(webhookUrl.getPath());
    }

    /** The data of the policy health check for the watched project, once it satisfies {@code condition}. */
    private String awaitPolicy(java.util.function.Predicate<String> condition) {
        return await().atMost(PATIENCE).until(() -> {
            JsonPath h = given().get("/q/health").then().extract().jsonPath();
            return Optional.ofNullable(h.getString("checks.find { it.name == 'countersign policy' }.data['"
                    + GitLabWorld.PROJECT_PATH + "']")).orElse("");
        }, condition::test);
    }


    @Inject
    org.countersign.store.AuditLog auditLog;

    private List<AuditRecord> audit() {
        return auditLog.forProject(project.id()).stream().filter(a -> a.kind().equals("POLICY")).toList();
    }

    @Test
    void validInvalidChangedAndRemoved() {
        // valid: two reviewers needed in this project, from the push on
        GitLabSimulator.SimPush valid = sim.commitFile(world.alice, project, FILE,
                "# Countersign policy of the infra team\nrequired-signoffs: 2\nemergency:\n  deadline: 24h\n");
        push(valid.hookBody()).then().statusCode(202).body("status", org.hamcrest.Matchers.equalTo("accepted"));
        String inForce = awaitPolicy(d -> d.contains(valid.commitId()));
        assertTrue(inForce.contains("emergency.deadline=PT24H, required-signoffs=2"), inForce);
        AuditRecord audited = audit().get(audit().size() - 1);
        assertEquals("commit:" + valid.commitId(), audited.gitlabRef());
        assertTrue(audited.summary().contains("emergency.deadline=PT24H, required-signoffs=2"), audited.summary());

        long iid = newTicket("Replace the core switch");
        toReview(world.bob, iid);
        sim.comment(world.carol, project, iid, "/signoff config diff checked");
        SimNote accepted = awaitBotNote(iid, b -> b.contains("Sign-off by @carol recorded"));
        assertTrue(accepted.body().contains("1 of 2 required"), accepted.body());
        sim.close(world.bob, project, iid);
        SimNote rejected = awaitBotNote(iid, b -> b.contains("reopened"));
        assertTrue(rejected.body().contains("1 of the 2 required sign-offs"), rejected.body());

        // invalid: refused with the line and key, the last valid policy stays in force
        GitLabSimulator.SimPush invalid = sim.commitFile(world.alice, project, FILE,
                "required-signoffs: 0\nreview-lable: Review\n");
        push(invalid.hookBody()).then().statusCode(202);
        String problem = awaitPolicy(d -> d.contains("is invalid"));
        assertTrue(problem.contains("line 1: required-signoffs must be at least 1, got 0"), problem);
        assertTrue(problem.contains("line 2: unknown key 'review-lable'"), problem);
        assertTrue(problem.contains("in force: " + FILE + " at " + valid.commitId()), problem);
        given().get("/q/health/well").then().statusCode(503);
        int audits = audit().size();

        // changed, seen by a reconciliation pass (no push): one reviewer again
        GitLabSimulator.SimPush changed = sim.commitFile(world.alice, project, FILE, "required-signoffs: 1\n");
        await().atMost(PATIENCE).until(() -> reconcile.run().ran());
        awaitPolicy(d -> d.contains(changed.commitId()) && d.contains(": required-signoffs=1"));
        given().get("/q/health/well").then().statusCode(200);
        assertEquals(audits + 1, audit().size(), "one audit entry per change of the policy in force");
        assertEquals("commit:" + changed.commitId(), audit().get(audit().size() - 1).gitlabRef());
        await().atMost(PATIENCE).until(() -> reconcile.run().ran()); // the same file again: nothing new
        assertEquals(audits + 1, audit().size());

        long next = newTicket("Replace the access switch");
        toReview(world.bob, next);
        sim.comment(world.dave, project, next, "/signoff cabling checked");
        awaitBotNote(next, b -> b.contains("1 of 1 required"));
        sim.close(world.bob, project, next);
        settle();
        assertTrue(issue(next).isClosed(), "one sign-off is enough under the changed policy");
        // removed: @AfterEach deletes the file and awaits the environment's defaults
    }

    @Test
    void removingTheFileBringsBackTheEnvironmentAndIsAudited() {
        GitLabSimulator.SimPush valid = sim.commitFile(world.alice, project, FILE, "author-is-implementer: false\n");
        push(valid.hookBody()).then().statusCode(202);
        awaitPolicy(d -> d.contains(valid.commitId()));
        GitLabSimulator.SimPush removed = sim.deleteFile(world.alice, project, FILE);
        push(removed.hookBody()).then().statusCode(202);
        awaitPolicy(d -> d.contains("the environment's defaults"));
        AuditRecord last = audit().get(audit().size() - 1);
        assertEquals("environment", last.gitlabRef());
        assertTrue(last.summary().contains("the environment's defaults (no " + FILE + " on the default branch)"), last.summary());
    }

    private static final String REMINDER_MARKER = "<!-- countersign:reminder:";

    /** Commits {@code content} as the project's file, announces it, and waits until it is in force. */
    private void policyFile(String content) {
        GitLabSimulator.SimPush valid = sim.commitFile(world.alice, project, FILE, content);
        push(valid.hookBody()).then().statusCode(202);
        awaitPolicy(d -> d.contains(valid.commitId()));
    }

    @Test
    void remindersAskWhomTheProjectsFileMakesEligible() {
        // the environment lets developers sign off (carol, dave); this project wants maintainers (dave)
        policyFile("min-access-level: maintainer\n");
        long iid = inReviewSince("Renew the HSM support contract", java.time.Duration.ofHours(25));
        SimNote reminder = awaitBotNote(iid, b -> b.contains(REMINDER_MARKER));
        assertTrue(reminder.body().startsWith("@dave this ticket has been waiting in **To validate** since "),
                reminder.body());
        assertTrue(reminder.body().contains("have at least Maintainer access"), reminder.body());
        assertTrue(!reminder.body().contains("@carol"), "carol, a developer, may not sign off here: " + reminder.body());
    }

    @Test
    void remindersDoNotAskAgainWhoseSignoffAlreadyCounts() {
        // two sign-offs needed in this project; carol gave hers: only dave is still asked
        policyFile("required-signoffs: 2\n");
        world.clock.setOffset(java.time.Duration.ofHours(-25));
        long iid;
        try {
            iid = newTicket("Replace the core switch");
            toReview(world.bob, iid);
            sim.comment(world.carol, project, iid, "/signoff config diff reviewed, failover tested");
        } finally {
            world.clock.setOffset(java.time.Duration.ZERO);
        }
        SimNote reminder = awaitBotNote(iid, b -> b.contains(REMINDER_MARKER));
        assertTrue(reminder.body().startsWith("@dave this ticket has been waiting in **To validate** since "),
                reminder.body());
        assertTrue(reminder.body().contains("with 1 of 2 required sign-offs."), reminder.body());
        assertTrue(!reminder.body().contains("@carol"), "carol's sign-off already counts: " + reminder.body());
    }

    @Inject
    io.quarkus.scheduler.Scheduler scheduler;

    @Inject
    org.countersign.workflow.GovernedTypes governedTypes;

    /**
     * A type only the file governs is enforced by the webhook intake at once, not at the next reconciliation
     * pass: reconciliation is paused here, so only the task's Issue Hook can make Countersign undo its close.
     * Work items other than issues arrive as Issue Hooks with object_kind "work_item" and
     * object_attributes.type naming the type (gitlabhq lib/gitlab/data_builder/issuable.rb, MR 180959).
     */
    @Test
    void typesTheFileGovernsAreEnforcedByTheirWebhooks() {
        GitLabSimulator.SimPush valid = sim.commitFile(world.alice, project, FILE, "governed-types: [issue, task]\n");
        push(valid.hookBody()).then().statusCode(202);
        awaitPolicy(d -> d.contains(valid.commitId()) && d.contains("governed-types="));
        // the intake's copy is refreshed right after the change is committed (the health check reads the table)
        await().atMost(PATIENCE).until(() -> governedTypes.of(project.id()).contains("task"));
        scheduler.pause(ReconcileJob.JOB);
        try {
            await().atMost(PATIENCE).until(() -> reconcile.run().ran()); // a scheduled pass may still be finishing
            int before = sim.webhookDeliveries().size();
            org.countersign.gitlab.sim.SimIssue task = sim.createWorkItem(world.alice, project, "Rotate the backup keys",
                    "task", world.bob);
            sim.close(world.bob, project, task.iid());
            awaitIssue(task.iid(), i -> !i.isClosed());
            SimNote undone = awaitBotNote(task.iid(), b -> b.contains("reopened"));
            assertTrue(undone.body().contains("@bob"), undone.body());
            var sent = sim.webhookDeliveries().subList(before, sim.webhookDeliveries().size());
            assertTrue(sent.stream().anyMatch(d -> d.body().contains("\"object_kind\":\"work_item\"")
                    && d.body().contains("\"action\":\"close\"") && d.responseStatus() == 202),
                    "the task's close was queued by its webhook: " + sent.stream().map(d -> d.event() + " "
                            + d.responseStatus()).toList());
        } finally {
            scheduler.resume(ReconcileJob.JOB);
        }
    }

    @Test
    void otherPushesAreAcknowledgedAndIgnored() {
        GitLabSimulator.SimPush readme = sim.commitFile(world.alice, project, "README.md", "# Interventions\n");
        push(readme.hookBody()).then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("ignored"));
        push("{\"object_kind\":\"push\"}").then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("ignored"));
        push("not json").then().statusCode(200);
    }
}
