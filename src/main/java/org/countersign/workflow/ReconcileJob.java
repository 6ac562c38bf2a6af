package org.countersign.workflow;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/** Runs a reconciliation pass at start-up and every {@code countersign.reconcile.interval}. */
@ApplicationScoped
public class ReconcileJob {
    private final ReconcileProjects reconcile;

    public ReconcileJob(ReconcileProjects reconcile) {
        this.reconcile = reconcile;
    }

    @Scheduled(identity = "reconcile", every = "${countersign.reconcile.interval:5m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void run() {
        reconcile.run();
    }
}
