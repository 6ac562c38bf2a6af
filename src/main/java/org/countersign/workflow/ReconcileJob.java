package org.countersign.workflow;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Reconciliation at start-up and every {@code countersign.reconcile.interval}. At start-up the
 * watched projects are resolved before the service takes traffic, so a project's watch starts when
 * the service starts, not when its first webhook happens to arrive; the first pass then runs in the
 * background.
 */
@ApplicationScoped
public class ReconcileJob {
    private static final Logger LOG = Logger.getLogger(ReconcileJob.class);

    private final ReconcileProjects reconcile;
    private final WatchProjects watch;

    public ReconcileJob(ReconcileProjects reconcile, WatchProjects watch) {
        this.reconcile = reconcile;
        this.watch = watch;
    }

    void onStart(@Observes StartupEvent ev) {
        watch.ensureWatched();
        Thread first = new Thread(() -> {
            try {
                reconcile.run();
            } catch (RuntimeException e) {
                LOG.errorf(e, "start-up reconciliation failed; the next periodic pass retries: %s", e.getMessage());
            }
        }, "countersign-reconcile-startup");
        first.setDaemon(true);
        first.start();
    }

    @Scheduled(identity = "reconcile", every = "${countersign.reconcile.interval:5m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void run() {
        reconcile.run();
    }
}
