package org.countersign.store;

import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The claim/complete/retry protocol shared by the two work tables ({@code delivery},
 * {@code pending_action}); they have the same bookkeeping columns.
 *
 * <p>A worker claims ready rows with {@code FOR UPDATE SKIP LOCKED}: several instances never take
 * the same row. A claim is a lease: if the worker dies, the row becomes claimable again when
 * {@code locked_until} passes, so a crash loses nothing. Claiming counts an attempt, so an item
 * that kills its worker still ends up dead instead of looping. All times are the database's.
 */
final class WorkQueue {

    private final String table;

    WorkQueue(String table) {
        this.table = table;
    }

    /**
     * Claims up to {@code max} ready rows, oldest due first, in one statement. Each returned row holds
     * the id, the attempt number now running, then {@code columns} (a comma-separated list of the
     * table's columns, aliased {@code t}).
     */
    @SuppressWarnings("unchecked")
    List<Object[]> claim(EntityManager em, int max, String worker, Duration lease, String columns) {
        List<Object[]> rows = em.createNativeQuery(
                "UPDATE " + table + " t SET locked_until = now() + make_interval(secs => :lease), locked_by = :worker, "
                        + "attempts = t.attempts + 1 "
                        + "WHERE t.id IN (SELECT id FROM " + table + " WHERE status = 'PENDING' AND next_attempt_at <= now() "
                        + "AND (locked_until IS NULL OR locked_until < now()) ORDER BY next_attempt_at, id LIMIT :max "
                        + "FOR UPDATE SKIP LOCKED) RETURNING t.id, t.attempts, " + columns)
                .setParameter("lease", lease.toMillis() / 1000.0).setParameter("worker", worker).setParameter("max", max)
                .getResultList();
        List<Object[]> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(r -> ((Number) r[0]).longValue()));
        return sorted;
    }

    /**
     * How long until the next pending row that nobody holds becomes due (zero if one is due now);
     * empty when there is none. Lets an idle worker sleep exactly until work is ready.
     */
    Optional<Duration> untilNextDue(EntityManager em) {
        // GREATEST ignores NULL: a row nobody holds is due at next_attempt_at
        Object r = em.createNativeQuery("SELECT EXTRACT(EPOCH FROM min(GREATEST(next_attempt_at, locked_until)) - now()) FROM "
                + table + " WHERE status = 'PENDING'").getSingleResult();
        if (r == null) {
            return Optional.empty();
        }
        long micros = Math.round(((Number) r).doubleValue() * 1_000_000);
        return Optional.of(Duration.ofNanos(Math.max(0, micros) * 1000));
    }

    /**
     * Extends the claim just before a side effect. False when the claim was lost (it expired and another
     * worker took the row): the caller must then leave the item alone.
     */
    boolean renew(EntityManager em, long id, String worker, Duration lease) {
        return em.createNativeQuery("UPDATE " + table + " SET locked_until = now() + make_interval(secs => :lease) "
                        + "WHERE id = :id AND locked_by = :worker AND status = 'PENDING'")
                .setParameter("lease", lease.toMillis() / 1000.0).setParameter("id", id).setParameter("worker", worker)
                .executeUpdate() == 1;
    }

    /** Ends the item for good with {@code status} (DONE, SKIPPED or DEAD). Only its current holder may. */
    boolean finish(EntityManager em, long id, String worker, String status, String error) {
        return em.createNativeQuery("UPDATE " + table + " SET status = :status, locked_until = NULL, last_error = COALESCE(:error, last_error), "
                        + finishedColumn() + " = now() WHERE id = :id AND locked_by = :worker AND status = 'PENDING'")
                .setParameter("status", status).setParameter("error", error).setParameter("id", id)
                .setParameter("worker", worker).executeUpdate() == 1;
    }

    /** Releases the item to be tried again after {@code delay}. */
    boolean retry(EntityManager em, long id, String worker, Duration delay, String error) {
        return em.createNativeQuery("UPDATE " + table + " SET locked_until = NULL, last_error = :error, "
                        + "next_attempt_at = now() + make_interval(secs => :delay) WHERE id = :id AND locked_by = :worker AND status = 'PENDING'")
                .setParameter("error", error).setParameter("delay", delay.toMillis() / 1000.0).setParameter("id", id)
                .setParameter("worker", worker).executeUpdate() == 1;
    }

    /** Makes a DEAD row PENDING again with its attempts reset (an operator fixed the cause). */
    boolean revive(EntityManager em, long id) {
        return em.createNativeQuery("UPDATE " + table + " SET status = 'PENDING', attempts = 0, next_attempt_at = now(), "
                + "locked_until = NULL, locked_by = NULL WHERE id = :id AND status = 'DEAD'")
                .setParameter("id", id).executeUpdate() == 1;
    }

    static java.time.Instant instant(Object o) {
        if (o == null) {
            return null;
        } else if (o instanceof java.time.Instant i) {
            return i;
        } else if (o instanceof java.time.OffsetDateTime t) {
            return t.toInstant();
        } else if (o instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        throw new IllegalArgumentException("not a timestamp: " + o.getClass());
    }

    /** Count of rows per status. */
    @SuppressWarnings("unchecked")
    Map<String, Long> counts(EntityManager em) {
        List<Object[]> rows = em.createNativeQuery("SELECT status, count(*) FROM " + table + " GROUP BY status").getResultList();
        Map<String, Long> result = new TreeMap<>();
        for (Object[] r : rows) {
            result.put((String) r[0], ((Number) r[1]).longValue());
        }
        return result;
    }

    private String finishedColumn() {
        return table.equals("delivery") ? "processed_at" : "done_at";
    }
}
