package org.countersign.e2e;

import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import org.awaitility.core.ConditionTimeoutException;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.countersign.gitlab.sim.GitLabSimulator;
import org.countersign.gitlab.sim.SimIssue;
import org.countersign.gitlab.sim.SimNote;
import org.countersign.gitlab.sim.SimProject;
import org.countersign.gitlab.sim.SimUser;
import org.countersign.store.ActionQueue;
import org.countersign.store.DeliveryQueue;
import org.junit.jupiter.api.BeforeEach;

/**
 * What end-to-end tests share: the simulated GitLab wired to the running service, people acting on
 * the board, and waiting for the service to be done before asserting what a GitLab user would see.
 */
public abstract class E2eSupport {

    protected static final Duration PATIENCE = Duration.ofSeconds(20);

    @TestHTTPResource("/webhooks/gitlab")
    URL webhookUrl;

    @Inject
    DeliveryQueue deliveries;

    @Inject
    ActionQueue actions;

    protected GitLabWorld world;
    protected GitLabSimulator sim;
    protected SimProject project;

    @BeforeEach
    void connectGitLabToService() {
        world = GitLabWorld.current();
        sim = world.sim;
        project = world.project;
        sim.dropWebhooks(false);
        sim.resumeWebhooks();
        sim.setWebhookUrl(world.hook, webhookUrl.toString());
        sim.enableWebhook(world.hook);
    }

    /** Alice files a ticket assigned to Bob, and Bob starts working on it (Doing). */
    protected long newTicket(String title) {
        SimIssue issue = sim.createIssue(world.alice, project, title, world.bob);
        sim.moveToList(world.bob, project, issue.iid(), null, GitLabWorld.DOING);
        return issue.iid();
    }

    protected void toReview(SimUser who, long iid) {
        sim.moveToList(who, project, iid, GitLabWorld.DOING, GitLabWorld.REVIEW);
    }

    /** Alice files it for Bob; Bob works on it and moves it to review {@code ago} (GitLab's clock set back). */
    protected long inReviewSince(String title, Duration ago) {
        world.clock.setOffset(ago.negated());
        try {
            long iid = newTicket(title);
            toReview(world.bob, iid);
            return iid;
        } finally {
            world.clock.setOffset(Duration.ZERO);
        }
    }

    protected SimIssue issue(long iid) {
        return sim.issue(project, iid);
    }

    protected List<SimNote> botNotes(long iid) {
        return sim.notes(project, iid).stream().filter(n -> n.author().id() == world.bot.id()).toList();
    }

    protected SimNote awaitBotNote(long iid, Predicate<String> body) {
        try {
            return await().atMost(PATIENCE).until(
                    () -> botNotes(iid).stream().filter(n -> body.test(n.body())).findFirst().orElse(null),
                    n -> n != null);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no such note from Countersign on #" + iid + "; its notes are:\n"
                    + String.join("\n---\n", botNotes(iid).stream().map(SimNote::body).toList())
                    + "\nlabel events: " + sim.labelEvents(project, iid), e);
        }
    }

    protected SimIssue awaitIssue(long iid, Predicate<SimIssue> condition) {
        return await().atMost(PATIENCE).until(() -> issue(iid), condition);
    }

    /**
     * Waits until GitLab has sent every webhook and the service has worked off every delivery and
     * action, including those caused by its own actions, so that "nothing more happens" can be asserted.
     */
    protected void settle() {
        int[] seen = {-1};
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(300)).until(() -> {
            sim.awaitWebhooksSent();
            int sent = sim.webhookDeliveries().size();
            boolean idle = deliveries.counts().getOrDefault("PENDING", 0L) == 0
                    && actions.counts().getOrDefault("PENDING", 0L) == 0;
            boolean stable = idle && sent == seen[0];
            seen[0] = sent;
            return stable;
        });
    }
}
