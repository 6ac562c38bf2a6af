package org.countersign.workflow;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.countersign.config.Settings;
import org.countersign.runtime.InstanceId;
import org.countersign.store.Leases;
import org.countersign.store.StoredTicket;
import org.countersign.store.TicketRepository;
import org.countersign.store.WatchedProject;
import org.countersign.store.WatchedProjects;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Catches whatever webhooks missed: for each watched project, lists the issues GitLab updated since
 * the last pass (minus an overlap) and re-evaluates through {@link EvaluateTicket} every one whose
 * {@code updated_at} differs from the one last decided on — so a pass where nothing changed costs one
 * listing call per project (plus one to check the project's webhooks). Runs on one instance at a time
 * (a lease); evaluates up to {@code countersign.reconcile.parallelism} tickets at once. One ticket's
 * failure never stops the pass; the cursor stops before it, so the next pass retries it.
 */
@ApplicationScoped
public class ReconcileProjects {

    private static final Logger LOG = Logger.getLogger(ReconcileProjects.class);
    static final String LEASE = "reconcile";
    /** The pass holds its lease this long past its last sign of life: a killed instance blocks others at most that. */
    static final Duration LEASE_TTL = Duration.ofSeconds(60);
    private static final Duration RENEW_EVERY = Duration.ofSeconds(15);

    /** What a pass did, summed over projects. */
    /** A ticket with a delivery due within this is left to the delivery's evaluation. */
    static final java.time.Duration LEFT_TO_DELIVERY = java.time.Duration.ofSeconds(5);

    public record PassReport(boolean ran, int projects, int listed, int evaluated, int failed) {
    }

    private final WatchProjects watch;
    private final GitLabPort gitlab;
    private final EvaluateTicket evaluate;
    private final TicketRepository tickets;
    private final WatchedProjects projects;
    private final WebhookHealth webhooks;
    private final org.countersign.store.DeliveryQueue deliveries;
    private final Leases leases;
    private final InstanceId instance;
    private final Settings settings;
    private final Clock clock;
    private final ProjectPolicies policies;
    private final java.util.concurrent.locks.ReentrantLock running = new java.util.concurrent.locks.ReentrantLock();

    public ReconcileProjects(WatchProjects watch, GitLabPort gitlab, EvaluateTicket evaluate, TicketRepository tickets,
                             WatchedProjects projects, WebhookHealth webhooks, org.countersign.store.DeliveryQueue deliveries,
                             Leases leases, InstanceId instance, Settings settings, Clock clock, ProjectPolicies policies) {
        this.policies = policies;
        this.watch = watch;
        this.gitlab = gitlab;
        this.evaluate = evaluate;
        this.tickets = tickets;
        this.projects = projects;
        this.webhooks = webhooks;
        this.deliveries = deliveries;
        this.leases = leases;
        this.instance = instance;
        this.settings = settings;
        this.clock = clock;
    }

    /** Runs a pass unless one is running here or on another instance (then {@code ran} is false). */
    public PassReport run() {
        if (!running.tryLock()) {
            return new PassReport(false, 0, 0, 0, 0);
        }
        try {
            return runLeased();
        } finally {
            running.unlock();
        }
    }

    private PassReport runLeased() {
        if (!leases.tryAcquire(LEASE, instance.id(), LEASE_TTL)) {
            LOG.debug("reconciliation is running on another instance");
            return new PassReport(false, 0, 0, 0, 0);
        }
        ExecutorService pool = Executors.newFixedThreadPool(settings.reconcileParallelism(), r -> {
            Thread t = new Thread(r, "countersign-reconcile");
            t.setDaemon(true);
            return t;
        });
        try {
            int[] total = new int[3];
            List<WatchedProject> watched = watch.ensureWatched();
            for (WatchedProject p : watched) {
                try {
                    policies.refresh(p, "reconcile");
                } catch (RuntimeException e) {
                    LOG.warnf("reading %s of %s failed, the policy in force stays: %s", org.countersign.governance.PolicyFile.PATH,
                            p.path(), e.getMessage());
                }
                int[] r = reconcile(p, pool);
                for (int i = 0; i < 3; i++) {
                    total[i] += r[i];
                }
                webhooks.check(p);
            }
            if (total[1] > 0 || total[2] > 0) {
                LOG.infof("reconciliation: %d projects, %d tickets listed, %d re-evaluated, %d failed",
                        watched.size(), total[0], total[1], total[2]);
            }
            return new PassReport(true, watched.size(), total[0], total[1], total[2]);
        } finally {
            pool.shutdownNow();
            leases.release(LEASE, instance.id());
        }
    }

    /** Returns {listed, evaluated, failed}. */
    private int[] reconcile(WatchedProject p, ExecutorService pool) {
        Instant from = Optional.ofNullable(p.reconciledUntil()).orElse(p.watchedSince()).minus(settings.reconcileOverlap());
        AtomicInteger listed = new AtomicInteger();
        AtomicInteger evaluated = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Instant[] newest = {null};
        Instant[] firstFailure = {null};
        Semaphore inFlight = new Semaphore(settings.reconcileParallelism() * 4);
        List<Future<?>> running = new ArrayList<>();
        try {
            long[] renewedAt = {System.nanoTime()};
            gitlab.forEachIssueUpdatedSince(p.projectId(), from, head -> {
                listed.incrementAndGet();
                if (System.nanoTime() - renewedAt[0] > RENEW_EVERY.toNanos()) {
                    // still alive: keep the lease (same holder renews it)
                    leases.tryAcquire(LEASE, instance.id(), LEASE_TTL);
                    renewedAt[0] = System.nanoTime();
                }
                if (newest[0] == null || head.version().updatedAt().isAfter(newest[0])) {
                    newest[0] = head.version().updatedAt();
                }
                Optional<StoredTicket> stored = tickets.find(p.projectId(), head.iid());
                if (stored.isPresent() && head.version().updatedAt().equals(stored.get().gitlabUpdatedAt())) {
                    return; // decided on exactly this version already
                }
                if (deliveries.workedOffSoon(p.projectId(), head.iid(), LEFT_TO_DELIVERY)) {
                    // the webhook's evaluation (in flight, or due within seconds) reads this history anyway: a
                    // second read here would double the close's GitLab calls. The cursor stays before this
                    // ticket, so the next pass looks again (and finds it decided, or evaluates it then).
                    synchronized (firstFailure) {
                        if (firstFailure[0] == null || head.version().updatedAt().isBefore(firstFailure[0])) {
                            firstFailure[0] = head.version().updatedAt();
                        }
                    }
                    return;
                }
                inFlight.acquireUninterruptibly();
                running.add(pool.submit(() -> {
                    MDC.put("project", p.projectId());
                    MDC.put("issue", head.iid());
                    try {
                        evaluate.evaluate(p.projectId(), head.iid(), "reconcile", Optional.of(head.version()))
                                .ifPresent(e -> deliveries.dropCovered(p.projectId(), head.iid(), e.historyReadAt()));
                        evaluated.incrementAndGet();
                    } catch (RuntimeException e) {
                        failed.incrementAndGet();
                        synchronized (firstFailure) {
                            if (firstFailure[0] == null || head.version().updatedAt().isBefore(firstFailure[0])) {
                                firstFailure[0] = head.version().updatedAt();
                            }
                        }
                        LOG.warnf("reconciliation of %s#%d failed, will retry next pass: %s", p.path(), head.iid(), e.getMessage());
                    } finally {
                        MDC.remove("project");
                        MDC.remove("issue");
                        inFlight.release();
                    }
                }));
            });
            for (Future<?> f : running) {
                f.get();
            }
        } catch (GitLabFailure e) {
            LOG.warnf("reconciliation of %s stopped: %s", p.path(), e.getMessage());
            awaitQuietly(running);
            projects.reconciled(p.projectId(), null, clock.instant());
            return new int[] {listed.get(), evaluated.get(), failed.get() + 1};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new int[] {listed.get(), evaluated.get(), failed.get()};
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        Instant cursor = firstFailure[0] != null ? firstFailure[0].minusMillis(1) : newest[0];
        projects.reconciled(p.projectId(), cursor, clock.instant());
        return new int[] {listed.get(), evaluated.get(), failed.get()};
    }

    private static void awaitQuietly(List<Future<?>> running) {
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (Exception ignored) {
                // already logged by the task
            }
        }
    }
}
