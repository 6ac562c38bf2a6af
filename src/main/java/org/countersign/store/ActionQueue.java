package org.countersign.store;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** GitLab side effects waiting to be applied; unique per (project, issue, action key). */
@ApplicationScoped
public class ActionQueue {

    /**
     * A ticket's actions are applied in the order they were queued, one at a time across instances: the
     * note that says "reopened" follows the reopen, and waits while the reopen is blocked or retrying.
     */
    private final WorkQueue queue = new WorkQueue("pending_action", "NOT EXISTS (SELECT 1 FROM pending_action b "
            + "WHERE b.project_id = c.project_id AND b.iid = c.iid AND b.id < c.id AND b.status IN ('PENDING', 'BLOCKED'))");

    /**
     * A claimed action; {@code payload} is its JSON. {@code throttles}: 429s met in a row;
     * {@code blockedCause}: set when this claim is the probe of a cause that blocked it (see WorkQueue).
     */
    public record Claimed(long id, int attempt, long projectId, long iid, String key, String kind, String payload,
                          int throttles, String blockedCause) {
    }

    /**
     * A DEAD or BLOCKED action, for the admin listing: {@code reason} says what is wrong and what fixes it,
     * {@code lastError} what GitLab (or the worker) last answered.
     */
    public record Parked(long id, String status, long projectId, long iid, String key, String kind, int attempts,
                         String reason, String lastError) {
    }

    /**
     * Queues the action in the caller's transaction unless the same key was queued before for the ticket.
     * Returns whether it was new. {@code decisionAuditId}: the audit entry of the decision that asked for
     * it, null when that decision repeated an earlier one (no new entry).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean enqueue(long projectId, long iid, String key, String kind, String payloadJson, Long decisionAuditId) {
        return em().createNativeQuery(
                "INSERT INTO pending_action (project_id, iid, action_key, kind, payload, decision_audit_id, created_at, status, "
                        + "next_attempt_at) VALUES (:p, :i, :key, :kind, CAST(:payload AS jsonb), CAST(:audit AS bigint), now(), 'PENDING', now()) "
                        + "ON CONFLICT (project_id, iid, action_key) DO NOTHING")
                .setParameter("p", projectId).setParameter("i", iid).setParameter("key", key).setParameter("kind", kind)
                .setParameter("payload", payloadJson).setParameter("audit", decisionAuditId).executeUpdate() == 1;
    }

    /** Whether an action with this key was ever queued for the ticket (whatever became of it). */
    @Transactional
    public boolean exists(long projectId, long iid, String key) {
        return !em().createNativeQuery("SELECT 1 FROM pending_action WHERE project_id = :p AND iid = :i AND action_key = :key")
                .setParameter("p", projectId).setParameter("i", iid).setParameter("key", key).getResultList().isEmpty();
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<Claimed> claim(int max, String worker, Duration lease) {
        List<Claimed> result = new ArrayList<>();
        for (Object[] r : queue.claim(em(), max, worker, lease,
                "t.project_id, t.iid, t.action_key, t.kind, CAST(t.payload AS text), t.throttles, t.blocked_cause")) {
            result.add(new Claimed(((Number) r[0]).longValue(), ((Number) r[1]).intValue(), ((Number) r[2]).longValue(),
                    ((Number) r[3]).longValue(), (String) r[4], (String) r[5], (String) r[6], ((Number) r[7]).intValue(),
                    (String) r[8]));
        }
        return result;
    }

    /** Ends the action (DONE or SKIPPED) in the caller's transaction, next to its audit entry. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean finish(long id, String worker, String status) {
        return queue.finish(em(), id, worker, status, null);
    }

    /** Gives up on the action (DEAD until an operator retries it), in the caller's transaction, next to its audit entry. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean dead(long id, String worker, String error, String reason) {
        return queue.dead(em(), id, worker, error, reason);
    }

    /** Parks the action as BLOCKED by {@code cause} (see WorkQueue), in the caller's transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean block(long id, String worker, String cause, String error, String reason, Duration probeInterval) {
        return queue.block(em(), id, worker, cause, error, reason, probeInterval);
    }

    /** Releases one BLOCKED action per due cause as a probe; returns the causes probed. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<String> releaseProbes(Duration probeInterval, int probeAttempts) {
        return queue.releaseProbes(em(), probeInterval, probeAttempts);
    }

    /** Requeues every action BLOCKED by {@code cause}; returns how many. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int unblock(String cause) {
        return queue.unblock(em(), cause);
    }

    /** Lets every BLOCKED action's cause be probed now. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int probeSoon() {
        return queue.probeSoon(em());
    }

    /** Why actions are DEAD or BLOCKED, at most {@code max} distinct reasons. */
    @Transactional
    public List<QueueProblem> problems(int max) {
        return queue.problems(em(), max);
    }

    /** Extends this worker's claim on the item; false if the claim was lost to another worker. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean renew(long id, String worker, Duration lease) {
        return queue.renew(em(), id, worker, lease);
    }

    /** Tries the action again after {@code delay}; a {@code throttled} retry (429) does not use up an attempt. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void retry(long id, String worker, Duration delay, String error, boolean throttled) {
        queue.retry(em(), id, worker, delay, error, throttled);
    }

    @Transactional
    public Map<String, Long> counts() {
        return queue.counts(em());
    }

    /** Every DEAD or BLOCKED action (a probe in flight counts as BLOCKED), oldest first. */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<Parked> parked() {
        List<Object[]> rows = em().createNativeQuery("SELECT id, " + WorkQueue.REPORTED_STATUS + ", project_id, iid, action_key, "
                + "kind, attempts, COALESCE(failure_reason, last_error), last_error FROM pending_action WHERE " + WorkQueue.PARKED
                + " ORDER BY id").getResultList();
        return rows.stream().map(r -> new Parked(((Number) r[0]).longValue(), (String) r[1], ((Number) r[2]).longValue(),
                ((Number) r[3]).longValue(), (String) r[4], (String) r[5], ((Number) r[6]).intValue(), (String) r[7],
                (String) r[8])).toList();
    }

    /** Puts a DEAD or BLOCKED action back in the queue with fresh attempts. False if it is neither. */
    @Transactional
    public boolean revive(long id) {
        return queue.revive(em(), id);
    }

    private static EntityManager em() {
        return Panache.getEntityManager();
    }
}
