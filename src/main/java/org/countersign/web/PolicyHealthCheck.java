package org.countersign.web;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import org.countersign.governance.Governance;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * The policy in force, at {@code /q/health} and {@code /q/health/well}: the operating mode (enforce or
 * shadow, always UP: shadow is a choice, not a fault).
 */
@Wellness
@ApplicationScoped
public class PolicyHealthCheck implements HealthCheck {

    private final Governance governance;

    public PolicyHealthCheck(Governance governance) {
        this.governance = governance;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("countersign policy")
                .withData("mode", governance.mode().key());
        return b.up().build();
    }
}
