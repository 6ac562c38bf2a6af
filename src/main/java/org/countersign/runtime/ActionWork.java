package org.countersign.runtime;

import io.quarkus.narayana.jta.QuarkusTransaction;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.countersign.policy.Action;
import org.countersign.store.ActionQueue;
import org.countersign.store.AuditLog;
import org.countersign.store.AuditRecord;
import org.countersign.store.DecisionJson;
import org.countersign.workflow.ApplyAction;
import org.jboss.logging.Logger;

/**
 * GitLab actions as a {@link WorkKind}. Every end of an action (DONE, SKIPPED, DEAD) and its first
 * BLOCKED is written to the audit trail in the transaction that records it.
 */
final class ActionWork implements WorkKind<ActionQueue.Claimed> {

    private static final Logger LOG = Logger.getLogger(Workers.class);

    private final ActionQueue actions;
    private final ApplyAction applyAction;
    private final AuditLog audit;
    private final DecisionJson json;
    private final WorkSignal signal;
    private final Metrics metrics;
    private final Clock clock;

    ActionWork(ActionQueue actions, ApplyAction applyAction, AuditLog audit, DecisionJson json, WorkSignal signal,
               Metrics metrics, Clock clock) {
        this.actions = actions;
        this.applyAction = applyAction;
        this.audit = audit;
        this.json = json;
        this.signal = signal;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public String queue() {
        return "actions";
    }

    @Override
    public List<ActionQueue.Claimed> claim(String worker, Duration lease) {
        return actions.claim(1, worker, lease);
    }

    @Override
    public Item item(ActionQueue.Claimed a) {
        Map<String, String> mdc = new LinkedHashMap<>();
        mdc.put("project", String.valueOf(a.projectId()));
        mdc.put("issue", String.valueOf(a.iid()));
        mdc.put("action", a.key());
        return new Item(a.id(), a.attempt(), a.throttles(), a.blockedCause(), a.projectId(), a.kind(),
                "action " + a.key() + " on " + a.projectId() + "#" + a.iid(), mdc);
    }

    /**
     * Renews the claim right before the GitLab calls: the lease is required to exceed the time those
     * calls may take (see ConfigValidation), so no other instance can take the action over while this
     * one may still be changing GitLab.
     */
    @Override
    public boolean prepare(ActionQueue.Claimed a, String worker, Duration lease) {
        return actions.renew(a.id(), worker, lease);
    }

    @Override
    public void process(ActionQueue.Claimed a, String worker) {
        Action action = json.action(a.kind(), a.payload());
        ApplyAction.Outcome out = applyAction.apply(a.projectId(), a.iid(), action,
                a.attempt() > 1 || a.throttles() > 0 || a.blockedCause() != null,
                json.decidedOn(a.payload()));
        metrics.action(a.kind(), out.status());
        QuarkusTransaction.requiringNew().run(() -> {
            if (actions.finish(a.id(), worker, out.status())) {
                audit(a, out.status(), out.message());
            }
        });
        LOG.infof("action %s on %d#%d: %s", a.key(), a.projectId(), a.iid(), out.message());
    }

    @Override
    public void retry(ActionQueue.Claimed a, String worker, Duration delay, String error, boolean throttled) {
        actions.retry(a.id(), worker, delay, error, throttled);
    }

    @Override
    public void dead(ActionQueue.Claimed a, String worker, String error, String reason) {
        metrics.action(a.kind(), "DEAD");
        QuarkusTransaction.requiringNew().run(() -> {
            if (actions.dead(a.id(), worker, error, reason)) {
                audit(a, "DEAD", reason);
            }
        });
    }

    @Override
    public void block(ActionQueue.Claimed a, String worker, String cause, String error, String reason, Duration probeInterval,
                      boolean newly) {
        QuarkusTransaction.requiringNew().run(() -> {
            if (actions.block(a.id(), worker, cause, error, reason, probeInterval) && newly) {
                audit(a, "BLOCKED", reason);
            }
        });
    }

    @Override
    public List<String> releaseProbes(Duration probeInterval, int probeAttempts) {
        return actions.releaseProbes(probeInterval, probeAttempts);
    }

    @Override
    public void awaitWork(Duration poll, BooleanSupplier running) throws InterruptedException {
        signal.awaitActions(poll);
    }

    @Override
    public void wake() {
        signal.actionsQueued();
    }

    private void audit(ActionQueue.Claimed a, String outcome, String message) {
        audit.append(new AuditRecord(null, clock.instant(), a.projectId(), a.iid(), "ACTION", "countersign", outcome,
                a.kind() + ": " + message, "action:" + a.id(), a.key(), null));
    }
}
