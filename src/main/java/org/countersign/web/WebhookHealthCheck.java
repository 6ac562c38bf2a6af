package org.countersign.web;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import org.countersign.workflow.WebhookHealth;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/** Degraded while GitLab has disabled (or nobody set up) a watched project's webhook. */
@Wellness
@ApplicationScoped
public class WebhookHealthCheck implements HealthCheck {

    private final WebhookHealth webhooks;

    public WebhookHealthCheck(WebhookHealth webhooks) {
        this.webhooks = webhooks;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("gitlab webhooks");
        boolean ok = true;
        for (WebhookHealth.State s : webhooks.states().values()) {
            b.withData(s.project(), s.status() + ": " + s.detail());
            ok &= !s.problem();
        }
        return b.status(ok).build();
    }
}
