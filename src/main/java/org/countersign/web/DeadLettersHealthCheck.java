package org.countersign.web;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.countersign.store.ActionQueue;
import org.countersign.store.DeliveryQueue;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import io.smallrye.health.api.Wellness;

/**
 * Degraded (DOWN in {@code /q/health} and {@code /q/health/well}, while readiness and liveness stay
 * UP so the instance keeps taking webhooks) as long as a delivery or an action is parked as dead:
 * something Countersign decided has not happened in GitLab. {@code GET /admin/dead-letters} lists them.
 */
@Wellness
@ApplicationScoped
public class DeadLettersHealthCheck implements HealthCheck {

    private final DeliveryQueue deliveries;
    private final ActionQueue actions;

    public DeadLettersHealthCheck(DeliveryQueue deliveries, ActionQueue actions) {
        this.deliveries = deliveries;
        this.actions = actions;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("dead letters");
        Map<String, Long> d;
        Map<String, Long> a;
        try {
            d = deliveries.counts();
            a = actions.counts();
        } catch (RuntimeException e) {
            return b.down().withData("database", "unreachable").build();
        }
        long deadDeliveries = d.getOrDefault("DEAD", 0L);
        long deadActions = a.getOrDefault("DEAD", 0L);
        return b.withData("dead deliveries", deadDeliveries).withData("dead actions", deadActions)
                .withData("pending deliveries", d.getOrDefault("PENDING", 0L))
                .withData("pending actions", a.getOrDefault("PENDING", 0L))
                .status(deadDeliveries + deadActions == 0).build();
    }
}
