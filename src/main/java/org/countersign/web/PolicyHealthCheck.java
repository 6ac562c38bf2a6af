package org.countersign.web;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import org.countersign.governance.Governance;
import org.countersign.workflow.ProjectPolicies;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * The policy in force, at {@code /q/health} and {@code /q/health/well}: the operating mode (enforce or
 * shadow: a choice, never a fault) and, per project, where its policy comes from. DOWN (degraded) while
 * a project's {@code .countersign.yml} is invalid, naming the line, the key and the problem.
 */
@Wellness
@ApplicationScoped
public class PolicyHealthCheck implements HealthCheck {

    private final Governance governance;
    private final ProjectPolicies policies;

    public PolicyHealthCheck(Governance governance, ProjectPolicies policies) {
        this.governance = governance;
        this.policies = policies;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("countersign policy")
                .withData("mode", governance.mode().key());
        boolean ok = true;
        try {
            for (var e : policies.states().entrySet()) {
                ProjectPolicies.State st = e.getValue();
                if (st.problem() != null) {
                    ok = false;
                    b.withData(e.getKey(), st.problem() + " (in force: " + st.inForce() + ")");
                } else {
                    b.withData(e.getKey(), "in force: " + st.inForce());
                }
            }
        } catch (RuntimeException e) {
            b.withData("database", "unreachable");
        }
        return b.status(ok).build();
    }
}
