package org.countersign.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.countersign.gitlab.sim.SimIssue;
import org.countersign.gitlab.sim.SimStateEvent;
import org.countersign.gitlab.sim.WebhookDelivery;
import org.countersign.store.AuditLog;
import org.countersign.store.AuditRecord;
import org.countersign.store.TicketRepository;
import org.junit.jupiter.api.Test;

/** Lost, repeated and self-caused webhooks change only the timing of enforcement, never its outcome. */
@QuarkusTest
@QuarkusTestResource(GitLabWorld.class)
class DeliveryRobustnessTest extends E2eSupport {

    @Inject
    TicketRepository tickets;

    @Inject
    AuditLog audit;

    @Test
    void lostWebhookIsCaughtByReconciliation() {
        long iid = newTicket("Resize the mail server disk");
        settle();
        sim.dropWebhooks(true); // GitLab's deliveries get lost from here on
        sim.close(world.bob, project, iid);
        sim.dropWebhooks(false);

        SimIssue reopened = awaitIssue(iid, i -> !i.isClosed());
        assertFalse(reopened.isClosed());
        awaitBotNote(iid, b -> b.startsWith("@bob ") && b.contains("reopened"));
        List<AuditRecord> trail = audit.forTicket(project.id(), iid);
        assertTrue(trail.stream().anyMatch(a -> a.kind().equals("DECISION") && a.outcome().equals("CLOSE_REJECTED")
                && "reconcile".equals(a.trigger())), trail.toString());
    }

    @Test
    void repeatedDeliveryActsOnce() {
        long iid = newTicket("Renew domain");
        toReview(world.bob, iid);
        sim.comment(world.carol, project, iid, "/signoff renewal confirmed at the registrar");
        sim.awaitWebhooksSent();
        WebhookDelivery noteHook = sim.webhookDeliveries().stream()
                .filter(d -> d.event().equals("Note Hook") && d.body().contains("renewal confirmed")).findFirst().orElseThrow();
        for (int i = 0; i < 5; i++) {
            WebhookDelivery again = sim.redeliver(noteHook.id());
            assertEquals(noteHook.idempotencyKey(), again.idempotencyKey());
        }
        settle();
        long confirmations = botNotes(iid).stream().filter(n -> n.body().contains("Sign-off by @carol recorded")).count();
        assertEquals(1, confirmations);
        // the repeats were answered 2xx and stored once
        sim.webhookDeliveries().stream().filter(d -> d.body().equals(noteHook.body()))
                .forEach(d -> assertTrue(d.responseStatus() >= 200 && d.responseStatus() < 300, "status " + d.responseStatus()));
    }

    @Test
    void aBurstOfWebhooksAboutOneTicketCostsOneHistoryRead() {
        long iid = newTicket("Rotate the backup encryption keys");
        settle();
        long readsBefore = sim.requestCount("GET", "/projects/:id/issues/:iid/notes");
        int burst = 8;
        for (int i = 0; i < burst; i++) {
            sim.comment(world.alice, project, iid, "progress " + i);
        }
        settle();
        long reads = sim.requestCount("GET", "/projects/:id/issues/:iid/notes") - readsBefore;
        // the deliveries wait COUNTERSIGN_WORKER_COALESCE (200 ms) and one evaluation covers those that
        // arrived meanwhile; a slow machine may split the burst once or twice, never into 8 reads
        assertTrue(reads >= 1 && reads <= 3, reads + " history reads for " + burst + " webhooks");
        assertEquals(burst, sim.webhookDeliveries().stream().filter(d -> d.body().contains("progress ")).count());
    }

    @Test
    void noLoopAfterTheBotsOwnReopen() {
        long iid = newTicket("Patch the hypervisor");
        sim.close(world.bob, project, iid);
        awaitIssue(iid, i -> !i.isClosed());
        settle();
        // give reconciliation a couple of passes to see the bot's own changes
        await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> true);
        settle();
        List<SimStateEvent> states = sim.stateEvents(project, iid);
        long botReopens = states.stream().filter(e -> e.user().id() == world.bot.id() && e.state().equals("reopened")).count();
        assertEquals(1, botReopens, states.toString());
        assertEquals(1, botNotes(iid).size());
        assertTrue(sim.webhookDeliveries().stream().anyMatch(d -> d.body().contains("countersign-bot")),
                "the bot's own actions do fire webhooks");
    }

    @Test
    void ticketsClosedBeforeCountersignWatchedAreLeftAlone() {
        world.clock.setOffset(Duration.ofDays(-30));
        SimIssue old;
        try {
            old = sim.createIssue(world.alice, project, "Old intervention from last month", world.bob);
            sim.close(world.bob, project, old.iid());
        } finally {
            world.clock.setOffset(Duration.ZERO);
        }
        settle();
        sim.comment(world.alice, project, old.iid(), "for the record: done last month");
        settle();
        assertTrue(issue(old.iid()).isClosed());
        assertTrue(botNotes(old.iid()).isEmpty());
        assertEquals("GRANDFATHERED", tickets.find(project.id(), old.iid()).orElseThrow().verdict());
    }
}
