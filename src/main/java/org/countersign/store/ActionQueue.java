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

    private final WorkQueue queue = new WorkQueue("pending_action");

    /** A claimed action; {@code payload} is its JSON. */
    public record Claimed(long id, int attempt, long projectId, long iid, String key, String kind, String payload) {
    }

    /** A dead action, for the admin listing. */
    public record Dead(long id, long projectId, long iid, String key, String kind, int attempts, String lastError) {
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

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<Claimed> claim(int max, String worker, Duration lease) {
        List<Claimed> result = new ArrayList<>();
        for (Object[] r : queue.claim(em(), max, worker, lease, "t.project_id, t.iid, t.action_key, t.kind, CAST(t.payload AS text)")) {
            result.add(new Claimed(((Number) r[0]).longValue(), ((Number) r[1]).intValue(), ((Number) r[2]).longValue(),
                    ((Number) r[3]).longValue(), (String) r[4], (String) r[5], (String) r[6]));
        }
        return result;
    }

    /** Ends the action (DONE, SKIPPED or DEAD) in the caller's transaction, next to its audit entry. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean finish(long id, String worker, String status, String error) {
        return queue.finish(em(), id, worker, status, error);
    }

    /** Extends this worker's claim on the item; false if the claim was lost to another worker. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean renew(long id, String worker, Duration lease) {
        return queue.renew(em(), id, worker, lease);
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void retry(long id, String worker, Duration delay, String error) {
        queue.retry(em(), id, worker, delay, error);
    }

    @Transactional
    public Map<String, Long> counts() {
        return queue.counts(em());
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public List<Dead> dead() {
        List<Object[]> rows = em().createNativeQuery("SELECT id, project_id, iid, action_key, kind, attempts, last_error "
                + "FROM pending_action WHERE status = 'DEAD' ORDER BY id").getResultList();
        return rows.stream().map(r -> new Dead(((Number) r[0]).longValue(), ((Number) r[1]).longValue(),
                ((Number) r[2]).longValue(), (String) r[3], (String) r[4], ((Number) r[5]).intValue(), (String) r[6])).toList();
    }

    /** Puts a dead action back in the queue with fresh attempts. False if it is not dead. */
    @Transactional
    public boolean revive(long id) {
        return queue.revive(em(), id);
    }

    private static EntityManager em() {
        return Panache.getEntityManager();
    }
}
