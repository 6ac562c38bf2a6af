package org.countersign.web;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import org.countersign.config.Settings;
import org.countersign.store.ActionQueue;
import org.countersign.store.DeliveryQueue;
import org.countersign.store.ProbeAlertQueue;
import org.countersign.store.QueueProblem;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Degraded (DOWN in {@code /q/health} and {@code /q/health/well}, while readiness and liveness stay
 * UP so the instance keeps taking webhooks) as long as a delivery, an action or a probe alert is parked as
 * DEAD or BLOCKED: something Countersign decided has not happened in GitLab, or an alert about a check
 * (ticket, webhook, e-mail) was never sent. The data names each distinct reason
 * ({@code problem 1}, {@code problem 2} …, blocked ones first) with how many items it holds and what
 * happens next; {@code GET /admin/dead-letters} lists the items. Back UP by itself once blocked items
 * got through after their cause was fixed.
 */
@Wellness
@ApplicationScoped
public class DeadLettersHealthCheck implements HealthCheck {

    /** Distinct reasons shown per queue; the admin listing has them all. */
    private static final int MAX_REASONS = 5;

    private final DeliveryQueue deliveries;
    private final ActionQueue actions;
    private final ProbeAlertQueue probeAlerts;
    private final Settings settings;

    public DeadLettersHealthCheck(DeliveryQueue deliveries, ActionQueue actions, ProbeAlertQueue probeAlerts, Settings settings) {
        this.deliveries = deliveries;
        this.probeAlerts = probeAlerts;
        this.actions = actions;
        this.settings = settings;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("dead letters");
        Map<String, Long> d;
        Map<String, Long> a;
        List<QueueProblem> deliveryProblems;
        List<QueueProblem> actionProblems;
        Map<String, Long> p;
        List<QueueProblem> alertProblems;
        try {
            d = deliveries.counts();
            a = actions.counts();
            deliveryProblems = d.getOrDefault("DEAD", 0L) + d.getOrDefault("BLOCKED", 0L) == 0 ? List.of() : deliveries.problems(MAX_REASONS);
            actionProblems = a.getOrDefault("DEAD", 0L) + a.getOrDefault("BLOCKED", 0L) == 0 ? List.of() : actions.problems(MAX_REASONS);
            p = probeAlerts.counts();
            alertProblems = p.getOrDefault("DEAD", 0L) + p.getOrDefault("BLOCKED", 0L) == 0 ? List.of() : probeAlerts.problems(MAX_REASONS);
        } catch (RuntimeException e) {
            return b.down().withData("database", "unreachable").build();
        }
        long parked = 0;
        for (String status : new String[] {"DEAD", "BLOCKED"}) {
            parked += d.getOrDefault(status, 0L) + a.getOrDefault(status, 0L) + p.getOrDefault(status, 0L);
        }
        b.withData("dead deliveries", d.getOrDefault("DEAD", 0L)).withData("dead actions", a.getOrDefault("DEAD", 0L))
                .withData("blocked deliveries", d.getOrDefault("BLOCKED", 0L)).withData("blocked actions", a.getOrDefault("BLOCKED", 0L))
                .withData("pending deliveries", d.getOrDefault("PENDING", 0L))
                .withData("pending actions", a.getOrDefault("PENDING", 0L))
                .withData("dead probe alerts", p.getOrDefault("DEAD", 0L)).withData("blocked probe alerts", p.getOrDefault("BLOCKED", 0L));
        int n = 0;
        for (String status : new String[] {"BLOCKED", "DEAD"}) {
            for (QueueProblem q : actionProblems) {
                if (q.status().equals(status)) {
                    b.withData("problem " + ++n, describe(q, "action"));
                }
            }
            for (QueueProblem q : deliveryProblems) {
                if (q.status().equals(status)) {
                    b.withData("problem " + ++n, describe(q, "delivery"));
                }
            }
            for (QueueProblem q : alertProblems) {
                if (q.status().equals(status)) {
                    b.withData("problem " + ++n, describe(q, "probe alert"));
                }
            }
        }
        return b.status(parked == 0).build();
    }

    private String describe(QueueProblem p, String what) {
        String items = p.count() + " " + (p.count() == 1 ? what : what.equals("delivery") ? "deliveries" : what + "s");
        return p.status().equals("BLOCKED")
                ? p.reason() + " — " + items + " blocked, tried again by itself every "
                        + settings.worker().blockedProbeInterval().toString().substring(2).toLowerCase() + " until that is fixed"
                : p.reason() + " — " + items + " dead (GET /admin/dead-letters; retry once fixed)";
    }
}
