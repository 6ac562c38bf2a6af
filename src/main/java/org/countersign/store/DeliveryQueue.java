package org.countersign.store;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Webhook deliveries: stored by the intake, worked off by the delivery worker. */
@ApplicationScoped
public class DeliveryQueue {

    private final WorkQueue queue = new WorkQueue("delivery");

    /** A delivery as received. {@code projectId}/{@code issueIid} are null when the event names no issue. */
    public record NewDelivery(String dedupeKey, String eventName, String eventUuid, Long projectId, Long issueIid,
                              Long actorId, String payload) {
    }

    /** A delivery claimed by a worker. */
    /** A delivery claimed by a worker; {@code receivedAt} is on the database clock. */
    public record Claimed(long id, int attempt, String eventName, String eventUuid, Long projectId, Long issueIid,
                          Long actorId, Instant receivedAt) {
    }

    /** A dead delivery, for the admin listing. */
    public record Dead(long id, String eventName, String eventUuid, Long projectId, Long issueIid, int attempts,
                       String lastError, java.time.Instant receivedAt) {
    }

    /**
     * Stores a batch in one statement and one commit (group commit for the intake). Returns, in order,
     * each delivery's id, or -1 for a duplicate (of a stored delivery or of an earlier one in the batch).
     */
    @Transactional
    @SuppressWarnings("unchecked")
    public long[] enqueueAll(List<NewDelivery> batch) {
        StringBuilder sql = new StringBuilder("INSERT INTO delivery (dedupe_key, event_name, event_uuid, project_id, issue_iid, "
                + "actor_id, payload, received_at, status, next_attempt_at) VALUES ");
        for (int i = 0; i < batch.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(:k").append(i).append(", :e").append(i).append(", :u").append(i)
                    .append(", :p").append(i).append(", :i").append(i).append(", :a").append(i).append(", :b").append(i)
                    .append(", now(), 'PENDING', now())");
        }
        sql.append(" ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key");
        jakarta.persistence.Query q = em().createNativeQuery(sql.toString());
        for (int i = 0; i < batch.size(); i++) {
            NewDelivery d = batch.get(i);
            q.setParameter("k" + i, d.dedupeKey()).setParameter("e" + i, d.eventName()).setParameter("u" + i, d.eventUuid())
                    .setParameter("p" + i, d.projectId()).setParameter("i" + i, d.issueIid()).setParameter("a" + i, d.actorId())
                    .setParameter("b" + i, d.payload());
        }
        java.util.Map<String, Long> inserted = new java.util.HashMap<>();
        for (Object[] r : (List<Object[]>) q.getResultList()) {
            inserted.put((String) r[1], ((Number) r[0]).longValue());
        }
        long[] ids = new long[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Long id = inserted.remove(batch.get(i).dedupeKey()); // only the first of equal keys gets the id
            ids[i] = id == null ? -1 : id;
        }
        return ids;
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<Claimed> claim(int max, String worker, Duration lease) {
        Map<Long, Integer> claimed = queue.claim(em(), max, worker, lease);
        List<Claimed> result = new ArrayList<>(claimed.size());
        for (Map.Entry<Long, Integer> c : claimed.entrySet()) {
            Object[] r = (Object[]) em().createNativeQuery(
                    "SELECT event_name, event_uuid, project_id, issue_iid, actor_id, received_at FROM delivery WHERE id = :id")
                    .setParameter("id", c.getKey()).getSingleResult();
            result.add(new Claimed(c.getKey(), c.getValue(), (String) r[0], (String) r[1], asLong(r[2]), asLong(r[3]), asLong(r[4]),
                    WorkQueue.instant(r[5])));
        }
        return result;
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void finish(long id, String worker, String status, String outcome) {
        if (queue.finish(em(), id, worker, status, null)) {
            em().createNativeQuery("UPDATE delivery SET outcome = :outcome WHERE id = :id")
                    .setParameter("outcome", outcome).setParameter("id", id).executeUpdate();
        }
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

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void dead(long id, String worker, String error) {
        queue.finish(em(), id, worker, "DEAD", error);
    }

    /**
     * After an evaluation of a ticket that started reading GitLab at {@code readAt} (database clock):
     * marks every unclaimed pending delivery about that ticket received before then as SKIPPED — that
     * evaluation saw whatever they announce. Returns how many. Makes a burst of events on one ticket
     * cost one evaluation.
     */
    @Transactional
    public int skipCovered(long projectId, long iid, java.time.Instant readAt, String outcome) {
        return em().createNativeQuery("UPDATE delivery SET status = 'SKIPPED', outcome = :outcome, processed_at = now() "
                        + "WHERE project_id = :p AND issue_iid = :i AND status = 'PENDING' AND received_at < :readAt "
                        + "AND (locked_until IS NULL OR locked_until < now())")
                .setParameter("outcome", outcome).setParameter("p", projectId).setParameter("i", iid)
                .setParameter("readAt", readAt).executeUpdate();
    }

    @Transactional
    public Map<String, Long> counts() {
        return queue.counts(em());
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public List<Dead> dead() {
        List<Object[]> rows = em().createNativeQuery("SELECT id, event_name, event_uuid, project_id, issue_iid, attempts, "
                + "last_error, received_at FROM delivery WHERE status = 'DEAD' ORDER BY id").getResultList();
        return rows.stream().map(r -> new Dead(((Number) r[0]).longValue(), (String) r[1], (String) r[2], asLong(r[3]),
                asLong(r[4]), ((Number) r[5]).intValue(), (String) r[6], WorkQueue.instant(r[7]))).toList();
    }

    /** Puts a dead delivery back in the queue with fresh attempts. False if it is not dead. */
    @Transactional
    public boolean revive(long id) {
        return queue.revive(em(), id);
    }

    private static EntityManager em() {
        return Panache.getEntityManager();
    }

    private static Long asLong(Object o) {
        return o == null ? null : ((Number) o).longValue();
    }
}
