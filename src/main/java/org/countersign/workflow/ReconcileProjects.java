package org.countersign.workflow;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.countersign.config.Settings;
import org.countersign.store.Leases;
import org.countersign.store.StoredTicket;
import org.countersign.store.TicketRepository;
import org.countersign.store.WatchedProject;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Catches whatever webhooks missed: for each watched project, lists the issues GitLab updated since
 * the last pass (minus an overlap) and re-evaluates through {@link EvaluateTicket} every one whose
 * {@code updated_at} differs from the one last decided on. Runs on one instance at a time (a lease).
 * One ticket's failure never stops the pass; the cursor stops before it so the next pass retries it.
 */
@ApplicationScoped
public class ReconcileProjects {

    private static final Logger LOG = Logger.getLogger(ReconcileProjects.class);
    static final String LEASE = "reconcile";

    /** What a pass did, per project summed. */
    public record PassReport(boolean ran, int projects, int listed, int evaluated, int failed) {
    }

    private final WatchProjects watch;
    private final GitLabPort gitlab;
    private final EvaluateTicket evaluate;
    private final TicketRepository tickets;
    private final org.countersign.store.WatchedProjects projects;
    private final Leases leases;
    private final InstanceId instance;
    private final Settings settings;
    private final Clock clock;

    public ReconcileProjects(WatchProjects watch, GitLabPort gitlab, EvaluateTicket evaluate, TicketRepository tickets,
                             org.countersign.store.WatchedProjects projects, Leases leases, InstanceId instance,
                             Settings settings, Clock clock) {
        this.watch = watch;
        this.gitlab = gitlab;
        this.evaluate = evaluate;
        this.tickets = tickets;
        this.projects = projects;
        this.leases = leases;
        this.instance = instance;
        this.settings = settings;
        this.clock = clock;
    }

    public PassReport run() {
        if (!leases.tryAcquire(LEASE, instance.id(), Duration.ofMinutes(15))) {
            LOG.debug("reconciliation is running on another instance");
            return new PassReport(false, 0, 0, 0, 0);
        }
        try {
            int listed = 0;
            int evaluated = 0;
            int failed = 0;
            int count = 0;
            for (WatchedProject p : watch.ensureWatched()) {
                int[] r = reconcile(p);
                listed += r[0];
                evaluated += r[1];
                failed += r[2];
                count++;
            }
            if (evaluated > 0 || failed > 0) {
                LOG.infof("reconciliation: %d projects, %d tickets listed, %d re-evaluated, %d failed", count, listed, evaluated, failed);
            }
            return new PassReport(true, count, listed, evaluated, failed);
        } finally {
            leases.release(LEASE, instance.id());
        }
    }

    private int[] reconcile(WatchedProject p) {
        Instant from = Optional.ofNullable(p.reconciledUntil()).orElse(p.watchedSince()).minus(settings.reconcileOverlap());
        int[] counts = new int[3];
        Instant[] newest = {null};
        Instant[] firstFailure = {null};
        try {
            gitlab.forEachIssueUpdatedSince(p.projectId(), from, head -> {
                counts[0]++;
                if (newest[0] == null || head.updatedAt().isAfter(newest[0])) {
                    newest[0] = head.updatedAt();
                }
                Optional<StoredTicket> stored = tickets.find(p.projectId(), head.iid());
                if (stored.isPresent() && head.updatedAt().equals(stored.get().gitlabUpdatedAt())) {
                    return; // decided on exactly this version already
                }
                MDC.put("project", p.projectId());
                MDC.put("issue", head.iid());
                try {
                    evaluate.evaluate(p.projectId(), head.iid(), "reconcile");
                    counts[1]++;
                } catch (RuntimeException e) {
                    counts[2]++;
                    if (firstFailure[0] == null || head.updatedAt().isBefore(firstFailure[0])) {
                        firstFailure[0] = head.updatedAt();
                    }
                    LOG.warnf("reconciliation of %s#%d failed, will retry next pass: %s", p.path(), head.iid(), e.getMessage());
                } finally {
                    MDC.remove("project");
                    MDC.remove("issue");
                }
            });
        } catch (GitLabFailure e) {
            LOG.warnf("reconciliation of %s stopped: %s", p.path(), e.getMessage());
            counts[2]++;
            projects.reconciled(p.projectId(), null, clock.instant());
            return counts;
        }
        Instant cursor = firstFailure[0] != null ? firstFailure[0].minusMillis(1) : newest[0];
        projects.reconciled(p.projectId(), cursor, clock.instant());
        return counts;
    }
}
