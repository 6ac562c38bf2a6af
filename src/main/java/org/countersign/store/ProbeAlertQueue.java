package org.countersign.store;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Probe alerts waiting to be sent (ticket, webhook, e-mail), one per (transition, channel), with the
 * claim/retry protocol of {@link WorkQueue}. A check's alerts of one channel go out in order, one at a
 * time across instances: the ticket's "opened" always precedes its comments and its recovery note, and two
 * instances never both find "no ticket open" and open two.
 */
@ApplicationScoped
public class ProbeAlertQueue {

    private final WorkQueue queue = new WorkQueue("probe_alert", "NOT EXISTS (SELECT 1 FROM probe_alert b "
            + "WHERE b.check_id = c.check_id AND b.channel = c.channel AND b.id < c.id AND b.status IN ('PENDING', 'BLOCKED'))");

    public record Claimed(long id, int attempt, long checkId, long transitionId, String channel, String event) {
    }

    public record Parked(long id, String status, long checkId, String channel, String event, int attempts, String reason) {
    }

    /** Queues the alert in the caller's transaction; false if it was queued before. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean enqueue(long checkId, long transitionId, String channel, String event) {
        return em().createNativeQuery("INSERT INTO probe_alert (check_id, transition_id, channel, event, created_at, status, "
                        + "next_attempt_at) VALUES (:c, :t, :ch, :ev, now(), 'PENDING', now()) ON CONFLICT (transition_id, channel) DO NOTHING")
                .setParameter("c", checkId).setParameter("t", transitionId).setParameter("ch", channel).setParameter("ev", event)
                .executeUpdate() == 1;
    }

    /**
     * Queues one alert per (check, transition) pair on {@code channel}, in one statement, in the caller's
     * transaction (the sweep, which may make thousands of transitions at once). Returns how many were new.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public int enqueueAll(long[] checkIds, long[] transitionIds, String channel, String event) {
        if (checkIds.length == 0) {
            return 0;
        }
        return em().createNativeQuery("INSERT INTO probe_alert (check_id, transition_id, channel, event, created_at, status, "
                        + "next_attempt_at) SELECT c, t, :ch, :ev, now(), 'PENDING', now() FROM unnest(CAST(:cs AS bigint[]), "
                        + "CAST(:ts AS bigint[])) AS x(c, t) ON CONFLICT (transition_id, channel) DO NOTHING")
                .setParameter("cs", checkIds).setParameter("ts", transitionIds).setParameter("ch", channel).setParameter("ev", event)
                .executeUpdate();
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<Claimed> claim(int max, String worker, Duration lease) {
        List<Claimed> result = new ArrayList<>();
        for (Object[] r : queue.claim(em(), max, worker, lease, "t.check_id, t.transition_id, t.channel, t.event")) {
            result.add(new Claimed(((Number) r[0]).longValue(), ((Number) r[1]).intValue(), ((Number) r[2]).longValue(),
                    ((Number) r[3]).longValue(), (String) r[4], (String) r[5]));
        }
        return result;
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean renew(long id, String worker, Duration lease) {
        return queue.renew(em(), id, worker, lease);
    }

    /** Ends the alert (DONE or SKIPPED) with a sentence saying what was done, in the caller's transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean finish(long id, String worker, String status, String outcome) {
        boolean ok = queue.finish(em(), id, worker, status, null);
        if (ok) {
            em().createNativeQuery("UPDATE probe_alert SET outcome = :o WHERE id = :id").setParameter("o", outcome)
                    .setParameter("id", id).executeUpdate();
        }
        return ok;
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void retry(long id, String worker, Duration delay, String error) {
        queue.retry(em(), id, worker, delay, error, false);
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean dead(long id, String worker, String error, String reason) {
        return queue.dead(em(), id, worker, error, reason);
    }

    @Transactional
    public Map<String, Long> counts() {
        return queue.counts(em());
    }

    /** Outcome sentences of the finished alerts of a check, oldest first (for tests and the admin view). */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<String> outcomes(long checkId, String channel) {
        return em().createNativeQuery("SELECT status || ': ' || COALESCE(outcome, failure_reason, last_error, '') FROM probe_alert "
                + "WHERE check_id = :c AND channel = :ch ORDER BY id").setParameter("c", checkId).setParameter("ch", channel)
                .getResultList();
    }

    @Transactional
    @SuppressWarnings("unchecked")
    public List<Parked> parked() {
        List<Object[]> rows = em().createNativeQuery("SELECT id, " + WorkQueue.REPORTED_STATUS + ", check_id, channel, event, attempts, "
                + "COALESCE(failure_reason, last_error) FROM probe_alert WHERE " + WorkQueue.PARKED + " ORDER BY id").getResultList();
        return rows.stream().map(r -> new Parked(((Number) r[0]).longValue(), (String) r[1], ((Number) r[2]).longValue(),
                (String) r[3], (String) r[4], ((Number) r[5]).intValue(), (String) r[6])).toList();
    }

    /** Why alerts are DEAD or BLOCKED, at most {@code max} distinct reasons (the dead-letter health check). */
    @Transactional
    public List<QueueProblem> problems(int max) {
        return queue.problems(em(), max);
    }

    /** Puts a DEAD or BLOCKED alert back in the queue with fresh attempts (the admin retry). False if it is neither. */
    @Transactional
    public boolean revive(long id) {
        return queue.revive(em(), id);
    }

    private static EntityManager em() {
        return Panache.getEntityManager();
    }
}
