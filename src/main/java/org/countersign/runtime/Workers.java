package org.countersign.runtime;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.countersign.config.Settings;
import org.countersign.store.ActionQueue;
import org.countersign.store.AuditLog;
import org.countersign.store.DecisionJson;
import org.countersign.store.DeliveryQueue;
import org.countersign.store.WatchedProject;
import org.countersign.store.WatchedProjects;
import org.countersign.workflow.ActionNotApplied;
import org.countersign.workflow.ApplyAction;
import org.countersign.workflow.GitLabFailure;
import org.countersign.workflow.HandleDelivery;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * The background workers of an instance: threads working off webhook deliveries and one applying GitLab
 * actions, all running the same loop over a {@link WorkKind}: claim (PostgreSQL, {@code FOR UPDATE SKIP
 * LOCKED}, so several instances share the work) → work → record what became of the item. They are
 * woken at once by work queued in this instance and poll otherwise. On shutdown they finish the item in
 * hand.
 *
 * <p>What a failure leads to depends on its {@link GitLabFailure.Kind}:
 * <ul>
 * <li>transient (GitLab down, 5xx, timeouts, or anything that is not a GitLab answer): retried with
 *     exponential backoff until {@code countersign.worker.max-attempts}, then DEAD;</li>
 * <li>rate limited (429): retried after the wait GitLab names, or with its own exponential backoff when it
 *     names none; it never uses up an attempt;</li>
 * <li>permanent (other 4xx): tried {@value #PERMANENT_TRIES} times in all (a 4xx right after a change on
 *     GitLab's side may be a passing state), then parked with a reason that names the fix — BLOCKED when the
 *     fix is the operator's on GitLab's side (401 token, 403 role), DEAD otherwise. One BLOCKED item per
 *     cause is probed every {@code countersign.worker.blocked-probe-interval}; when a probe gets through,
 *     every item blocked by that cause is queued again, so enforcement resumes by itself once the bot's
 *     token or role is fixed.</li>
 * </ul>
 */
@ApplicationScoped
public class Workers {

    private static final Logger LOG = Logger.getLogger(Workers.class);
    /** Tries, in all, of an item that fails permanently before it is parked. */
    static final int PERMANENT_TRIES = 2;

    private final DeliveryWork deliveryWork;
    private final ActionWork actionWork;
    private final List<WorkKind<?>> kinds;
    private final WatchedProjects projects;
    private final DeliveryQueue deliveries;
    private final ActionQueue actions;
    private final InstanceId instance;
    private final Settings settings;
    private final Metrics metrics;
    private final Map<WorkKind<?>, AtomicLong> nextProbeCheck;
    private volatile boolean running;
    private ExecutorService loops;

    public Workers(DeliveryQueue deliveries, ActionQueue actions, HandleDelivery handleDelivery, ApplyAction applyAction,
                   AuditLog audit, DecisionJson json, WorkSignal signal, InstanceId instance, Settings settings, Clock clock,
                   Metrics metrics, IntakePressure pressure, WatchedProjects projects) {
        this.deliveryWork = new DeliveryWork(deliveries, handleDelivery, signal, pressure, settings.worker().coalesce());
        this.actionWork = new ActionWork(actions, applyAction, audit, json, signal, metrics, clock);
        this.kinds = List.of(deliveryWork, actionWork);
        this.nextProbeCheck = Map.of(deliveryWork, new AtomicLong(System.nanoTime()), actionWork, new AtomicLong(System.nanoTime()));
        this.deliveries = deliveries;
        this.actions = actions;
        this.projects = projects;
        this.instance = instance;
        this.settings = settings;
        this.metrics = metrics;
    }

    void start(@Observes StartupEvent ev) {
        if (org.countersign.config.RunMode.oneShot()) {
            return; // a one-shot command (setup) works off no queue
        }
        running = true;
        try {
            // a restart often follows a fix (a new token): blocked work is probed at once, not after an interval
            int blocked = deliveries.probeSoon() + actions.probeSoon();
            if (blocked > 0) {
                LOG.infof("%d blocked items: probing their causes now", blocked);
            }
        } catch (RuntimeException e) {
            LOG.warnf("could not schedule the probes of blocked items: %s", e.getMessage());
        }
        int deliveryThreads = Math.max(1, settings.worker().deliveryThreads());
        loops = Executors.newFixedThreadPool(deliveryThreads + 1, r -> {
            Thread t = new Thread(r);
            t.setName("countersign-" + (t.getId()));
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < deliveryThreads; i++) {
            loops.submit(() -> loop(deliveryWork));
        }
        loops.submit(() -> loop(actionWork));
    }

    void stop(@Observes ShutdownEvent ev) {
        if (loops == null) {
            return;
        }
        running = false;
        for (int i = 0; i < settings.worker().deliveryThreads() + 1; i++) {
            deliveryWork.wake();
        }
        actionWork.wake();
        loops.shutdown();
        try {
            if (!loops.awaitTermination(20, TimeUnit.SECONDS)) {
                LOG.warn("workers did not finish in time; their claims expire and another instance takes over");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <T> void loop(WorkKind<T> kind) {
        Duration poll = settings.worker().pollInterval();
        while (running) {
            try {
                if (runOnce(kind) == 0 && running) {
                    kind.awaitWork(poll, () -> running);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // the database is unreachable or similar: back off, never let the loop die (an Error too,
                // say from a JDBC driver: the executor would swallow it and the loop would be gone silently)
                LOG.errorf("%s worker: %s", kind.queue(), e.toString());
                LOG.debug("worker failure", e);
                try {
                    Thread.sleep(poll.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Releases due probes, claims, and works off what was claimed; returns how many items it handled. */
    private <T> int runOnce(WorkKind<T> kind) {
        releaseProbes(kind);
        List<T> claimed = kind.claim(instance.id(), settings.worker().lease());
        for (T t : claimed) {
            WorkKind.Item item = kind.item(t);
            item.mdc().forEach(MDC::put);
            try {
                work(kind, t, item);
            } finally {
                item.mdc().keySet().forEach(MDC::remove);
            }
        }
        return claimed.size();
    }

    private <T> void work(WorkKind<T> kind, T t, WorkKind.Item item) {
        if (!kind.prepare(t, instance.id(), settings.worker().lease())) {
            return; // the claim expired and another worker has the item
        }
        int max = settings.worker().maxAttempts();
        if (item.attempt() > max) {
            // every earlier claim ended without a word: the item kills (or hangs) its worker
            String error = "gave up after " + max + " attempts";
            park(kind, t, item, error, error + " that each ended the worker (crash, kill or hang); see the logs of "
                    + "that time, then retry it", null);
            return;
        }
        try {
            kind.process(t, instance.id());
            if (item.blockedCause() != null) {
                unblock(item.blockedCause(), item);
            }
        } catch (RuntimeException e) {
            failed(kind, t, item, e);
        }
    }

    private <T> void failed(WorkKind<T> kind, T t, WorkKind.Item item, RuntimeException e) {
        String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof ActionNotApplied refused) {
            // GitLab accepted the request and did not do it (a locked discussion the bot cannot unlock): a
            // person fixes that on GitLab's side; the probe then finds the action goes through.
            park(kind, t, item, error, refused.getMessage(), "not applied project " + item.projectId() + " " + item.label());
            return;
        }
        GitLabFailure gitlab = e instanceof GitLabFailure g ? g : null;
        GitLabFailure.Kind failure = gitlab == null ? GitLabFailure.Kind.TRANSIENT : gitlab.kind();
        switch (failure) {
            case RATE_LIMITED -> {
                Duration delay = Backoff.throttled(item.throttles() + 1, gitlab.retryAfter(),
                        settings.worker().rateLimitBackoff(), settings.worker().rateLimitBackoffMax());
                LOG.warnf("%s rate limited by GitLab (429 #%d in a row, %s), trying again in %d ms without using an attempt",
                        item.name(), item.throttles() + 1, gitlab.retryAfter().isPresent() ? "as GitLab asked" : "GitLab named no wait",
                        delay.toMillis());
                metrics.retry(kind.queue(), item.label());
                kind.retry(t, instance.id(), delay, error, true);
            }
            case PERMANENT -> {
                if (item.attempt() < PERMANENT_TRIES) {
                    Duration delay = Backoff.after(item.attempt(), Optional.empty());
                    LOG.warnf("%s refused by GitLab (attempt %d), one more try in %d ms: %s", item.name(), item.attempt(),
                            delay.toMillis(), error);
                    metrics.retry(kind.queue(), item.label());
                    kind.retry(t, instance.id(), delay, error, false);
                } else {
                    String reason = gitlab.reason(projectPath(item.projectId()));
                    park(kind, t, item, error, reason, gitlab.fixableByOperator() ? cause(gitlab, item.projectId()) : null);
                }
            }
            case TRANSIENT -> {
                int max = settings.worker().maxAttempts();
                if (item.attempt() >= max) {
                    park(kind, t, item, error, "GitLab kept failing (" + error + "), " + item.attempt() + " attempts: once it "
                            + "works again, retry it (POST /admin/dead-letters/" + kind.queue() + "/" + item.id() + "/retry)", null);
                } else {
                    Duration delay = Backoff.after(item.attempt(), Optional.empty());
                    LOG.warnf("%s failed (attempt %d), retrying in %d ms: %s", item.name(), item.attempt(), delay.toMillis(), error);
                    metrics.retry(kind.queue(), item.label());
                    kind.retry(t, instance.id(), delay, error, false);
                }
            }
        }
    }

    /**
     * Parks the item: BLOCKED by {@code cause} when there is one (the operator can fix it on GitLab's side
     * and a probe will notice), DEAD otherwise. A probe that failed for another cause than its own proves
     * its own gone: the items it stood for are released.
     */
    private <T> void park(WorkKind<T> kind, T t, WorkKind.Item item, String error, String reason, String cause) {
        String probed = item.blockedCause();
        if (cause != null) {
            boolean newly = !cause.equals(probed);
            if (newly) {
                LOG.errorf("%s is blocked until this is fixed (probed every %s): %s", item.name(),
                        settings.worker().blockedProbeInterval().toString().substring(2).toLowerCase(), reason);
                metrics.blocked(kind.queue(), item.label());
            } else {
                LOG.warnf("%s: still blocked, %s", item.name(), reason);
            }
            kind.block(t, instance.id(), cause, error, reason, settings.worker().blockedProbeInterval(), newly);
        } else {
            LOG.errorf("%s is dead: %s", item.name(), reason);
            metrics.dead(kind.queue(), item.label());
            kind.dead(t, instance.id(), error, reason);
        }
        if (probed != null && !probed.equals(cause)) {
            unblock(probed, item);
        }
    }

    /** The cause that BLOCKED items share: the token (any project) or the bot's rights for one call on one project. */
    static String cause(GitLabFailure f, Long projectId) {
        if (f.status() == 401) {
            return "401 token";
        }
        return f.status() + " project " + projectId + " " + (f.operation() == null ? "" : f.operation());
    }

    private void unblock(String cause, WorkKind.Item probe) {
        int n = deliveries.unblock(cause) + actions.unblock(cause);
        LOG.infof("%s got past '%s': %d blocked items are queued again", probe.name(), cause, n);
        if (n > 0) {
            kinds.forEach(WorkKind::wake);
        }
    }

    /**
     * At most every tenth of the probe interval (and at least every poll interval) per queue and
     * instance, releases the probes that are due. Several instances doing it at once still release one
     * probe per cause: the statement re-checks each row it updates.
     */
    private void releaseProbes(WorkKind<?> kind) {
        AtomicLong next = nextProbeCheck.get(kind);
        long now = System.nanoTime();
        long at = next.get();
        if (now - at < 0 || !next.compareAndSet(at, now + probeCheckPeriod().toNanos())) {
            return;
        }
        List<String> causes = kind.releaseProbes(settings.worker().blockedProbeInterval(), PERMANENT_TRIES - 1);
        if (!causes.isEmpty()) {
            LOG.infof("probing %s blocked by %s", kind.queue(), causes);
        }
    }

    private Duration probeCheckPeriod() {
        Duration tenth = settings.worker().blockedProbeInterval().dividedBy(10);
        Duration poll = settings.worker().pollInterval();
        return tenth.compareTo(poll) < 0 ? poll : tenth.compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : tenth;
    }

    private String projectPath(Long projectId) {
        if (projectId == null) {
            return null;
        }
        try {
            return projects.find(projectId).map(WatchedProject::path).orElse("project " + projectId);
        } catch (RuntimeException e) {
            return "project " + projectId;
        }
    }
}
