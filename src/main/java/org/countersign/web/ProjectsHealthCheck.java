package org.countersign.web;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.countersign.config.Settings;
import org.countersign.store.ActionQueue;
import org.countersign.store.DeliveryQueue;
import org.countersign.workflow.WatchProjects;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when every configured project has been resolved in GitLab. Reports the work queues too, so
 * an operator sees a backlog or dead items at {@code /q/health}.
 */
@Readiness
@ApplicationScoped
public class ProjectsHealthCheck implements HealthCheck {

    private final WatchProjects watch;
    private final Settings settings;
    private final DeliveryQueue deliveries;
    private final ActionQueue actions;

    public ProjectsHealthCheck(WatchProjects watch, Settings settings, DeliveryQueue deliveries, ActionQueue actions) {
        this.watch = watch;
        this.settings = settings;
        this.deliveries = deliveries;
        this.actions = actions;
    }

    @Override
    public HealthCheckResponse call() {
        Map<String, String> problems = watch.problems();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("countersign")
                .withData("projects", String.join(",", settings.projects()));
        problems.forEach((ref, why) -> b.withData("project " + ref, why));
        try {
            deliveries.counts().forEach((status, n) -> b.withData("deliveries " + status, n));
            actions.counts().forEach((status, n) -> b.withData("actions " + status, n));
        } catch (RuntimeException e) {
            return b.withData("database", "unreachable").down().build();
        }
        return b.status(problems.isEmpty()).build();
    }
}
