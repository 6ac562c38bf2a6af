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
 *
 * <p>Statuses: PENDING (waiting or claimed), DONE, SKIPPED, DEAD (given up: an operator retries it),
 * BLOCKED (refused by GitLab for a cause an operator fixes on GitLab's side, named by
 * {@code blocked_cause}: one row per cause is released as a probe every probe interval, and when a
 * probe gets through, {@link #unblock} requeues every row of its cause).
 */
final class WorkQueue {

    /**
     * The status reported (counts, health, admin listing): a probe in flight — PENDING, still carrying the
     * cause it tests — is reported as BLOCKED, since that cause is not known to be gone yet.
     */
    static final String REPORTED_STATUS = "CASE WHEN status = 'PENDING' AND blocked_cause IS NOT NULL THEN 'BLOCKED' ELSE status END";
    /** The rows reported as DEAD or BLOCKED. */
    static final String PARKED = "(status IN ('DEAD', 'BLOCKED') OR (status = 'PENDING' AND blocked_cause IS NOT NULL))";

    private final String table;
    private final String claimable;

    /**
     * @param claimable an SQL condition on the candidate row {@code c} that must also hold for it to be
     *                  claimed (e.g. "no other row about the same ticket is in progress"); empty for none
     */
    WorkQueue(String table, String claimable) {
        this.table = table;
        this.claimable = claimable.isBlank() ? "" : " AND " + claimable;
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
                        + "WHERE t.id IN (SELECT c.id FROM " + table + " c WHERE c.status = 'PENDING' AND c.next_attempt_at <= now() "
                        + "AND (c.locked_until IS NULL OR c.locked_until < now())" + claimable
                        + " ORDER BY c.next_attempt_at, c.id LIMIT :max FOR UPDATE SKIP LOCKED) RETURNING t.id, t.attempts, " + columns)
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

    /**
     * Releases the item to be tried again after {@code delay}. A {@code throttled} retry (GitLab answered
     * 429) gives back the attempt its claim counted and counts a throttle instead: rate limiting never
     * brings an item closer to DEAD. Any other failure resets the count of throttles in a row.
     */
    boolean retry(EntityManager em, long id, String worker, Duration delay, String error, boolean throttled) {
        return em.createNativeQuery("UPDATE " + table + " SET locked_until = NULL, last_error = :error, "
                        + (throttled ? "attempts = GREATEST(attempts - 1, 0), throttles = throttles + 1, " : "throttles = 0, ")
                        + "next_attempt_at = now() + make_interval(secs => :delay) WHERE id = :id AND locked_by = :worker AND status = 'PENDING'")
                .setParameter("error", error).setParameter("delay", delay.toMillis() / 1000.0).setParameter("id", id)
                .setParameter("worker", worker).executeUpdate() == 1;
    }

    /**
     * Parks the claimed item as DEAD for good, with {@code error} (technical) and {@code reason} (the
     * sentence for the operator). Only its current holder may.
     */
    boolean dead(EntityManager em, long id, String worker, String error, String reason) {
        return em.createNativeQuery("UPDATE " + table + " SET status = 'DEAD', locked_until = NULL, "
                        + "last_error = COALESCE(:error, last_error), failure_reason = :reason, " + finishedColumn() + " = now() "
                        + "WHERE id = :id AND locked_by = :worker AND status = 'PENDING'")
                .setParameter("error", error).setParameter("reason", reason).setParameter("id", id)
                .setParameter("worker", worker).executeUpdate() == 1;
    }

    /**
     * Parks the claimed item as BLOCKED by {@code cause} until a probe of that cause gets through; it is
     * due as a probe candidate after {@code probeInterval}. Only its current holder may.
     */
    boolean block(EntityManager em, long id, String worker, String cause, String error, String reason, Duration probeInterval) {
        return em.createNativeQuery("UPDATE " + table + " SET status = 'BLOCKED', locked_until = NULL, locked_by = NULL, "
                        + "blocked_cause = :cause, last_error = :error, failure_reason = :reason, "
                        + "next_attempt_at = now() + make_interval(secs => :probe) WHERE id = :id AND locked_by = :worker AND status = 'PENDING'")
                .setParameter("cause", cause).setParameter("error", error).setParameter("reason", reason)
                .setParameter("probe", probeInterval.toMillis() / 1000.0).setParameter("id", id).setParameter("worker", worker)
                .executeUpdate() == 1;
    }

    /**
     * For every cause with a BLOCKED row due (its {@code next_attempt_at} passed), makes one of its rows
     * PENDING again as a probe — it keeps its {@code blocked_cause}, so the worker knows that its success
     * clears the cause — and puts the cause's other rows off by {@code probeInterval}: one probe per cause
     * and interval, however many instances run this. The probe's attempts are set to {@code probeAttempts}
     * (its claim then counts one more). Returns the causes probed.
     */
    @SuppressWarnings("unchecked")
    List<String> releaseProbes(EntityManager em, Duration probeInterval, int probeAttempts) {
        // a row another instance released meanwhile is no longer BLOCKED when this UPDATE gets its lock: skipped
        List<Object> causes = em.createNativeQuery("UPDATE " + table + " SET status = 'PENDING', next_attempt_at = now(), "
                        + "locked_until = NULL, locked_by = NULL, attempts = :attempts WHERE status = 'BLOCKED' AND id IN ("
                        + "SELECT min(id) FROM " + table + " WHERE status = 'BLOCKED' AND blocked_cause IS NOT NULL GROUP BY blocked_cause "
                        + "HAVING min(next_attempt_at) <= now()) RETURNING blocked_cause")
                .setParameter("attempts", probeAttempts).getResultList();
        List<String> released = causes.stream().map(c -> (String) c).distinct().toList();
        if (!released.isEmpty()) {
            em.createNativeQuery("UPDATE " + table + " SET next_attempt_at = now() + make_interval(secs => :probe) "
                            + "WHERE status = 'BLOCKED' AND blocked_cause IN (:causes)")
                    .setParameter("probe", probeInterval.toMillis() / 1000.0).setParameter("causes", released).executeUpdate();
        }
        return released;
    }

    /** Makes every row BLOCKED by {@code cause} PENDING again with fresh attempts (the cause is gone). Returns how many. */
    int unblock(EntityManager em, String cause) {
        return em.createNativeQuery("UPDATE " + table + " SET status = 'PENDING', attempts = 0, throttles = 0, "
                        + "blocked_cause = NULL, failure_reason = NULL, next_attempt_at = now(), locked_until = NULL, locked_by = NULL "
                        + "WHERE status = 'BLOCKED' AND blocked_cause = :cause")
                .setParameter("cause", cause).executeUpdate();
    }

    /** Makes every BLOCKED row a probe candidate now (at start-up: a restart often follows a fix, e.g. a new token). */
    int probeSoon(EntityManager em) {
        return em.createNativeQuery("UPDATE " + table + " SET next_attempt_at = now() WHERE status = 'BLOCKED'").executeUpdate();
    }

    /** Makes a DEAD or BLOCKED row PENDING again with its attempts reset (an operator fixed the cause). */
    boolean revive(EntityManager em, long id) {
        return em.createNativeQuery("UPDATE " + table + " SET status = 'PENDING', attempts = 0, throttles = 0, blocked_cause = NULL, "
                + "failure_reason = NULL, next_attempt_at = now(), locked_until = NULL, locked_by = NULL "
                + "WHERE id = :id AND status IN ('DEAD', 'BLOCKED')")
                .setParameter("id", id).executeUpdate() == 1;
    }

    /** Why rows are DEAD or BLOCKED: status, reason, how many; BLOCKED first, then the most frequent. */
    @SuppressWarnings("unchecked")
    List<QueueProblem> problems(EntityManager em, int max) {
        List<Object[]> rows = em.createNativeQuery("SELECT " + REPORTED_STATUS + ", COALESCE(failure_reason, last_error, 'unknown'), "
                        + "count(*) FROM " + table + " WHERE " + PARKED + " GROUP BY 1, 2 ORDER BY 1 DESC, 3 DESC, 2 LIMIT :max")
                .setParameter("max", max).getResultList();
        return rows.stream().map(r -> new QueueProblem((String) r[0], (String) r[1], ((Number) r[2]).longValue())).toList();
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

    /** Count of rows per (reported) status. */
    @SuppressWarnings("unchecked")
    Map<String, Long> counts(EntityManager em) {
        List<Object[]> rows = em.createNativeQuery("SELECT " + REPORTED_STATUS + ", count(*) FROM " + table + " GROUP BY 1").getResultList();
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
