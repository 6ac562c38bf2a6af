package org.countersign.store;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Webhook deliveries: stored by the intake, worked off by the delivery worker. */
@ApplicationScoped
public class DeliveryQueue {

    /**
     * One evaluation of a ticket at a time: a delivery whose ticket another worker is evaluating waits, and
     * is most often covered by that evaluation (GitLab sends two hooks for a drag into Closed, a second
     * evaluation would only read the same history again).
     */
    private final WorkQueue queue = new WorkQueue("delivery", "NOT EXISTS (SELECT 1 FROM delivery b "
            + "WHERE b.project_id = c.project_id AND b.issue_iid = c.issue_iid AND b.id <> c.id AND b.status = 'PENDING' "
            + "AND b.locked_until >= now())");
    private final DataSource dataSource;

    public DeliveryQueue(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A delivery as received. {@code projectId}/{@code issueIid} are null when the event names no issue. */
    /** {@code urgent}: due at once (a close), not after the coalescing window. */
    public record NewDelivery(String dedupeKey, String eventName, String eventUuid, Long projectId, Long issueIid,
                              Long actorId, String payload, boolean urgent) {
    }

    /**
     * A delivery claimed by a worker. {@code receivedAt} is on the database clock; {@code ticketReadAt} is
     * when the history behind its ticket's latest decision was read (null if never), as of the claim.
     * {@code throttles}: 429s met in a row; {@code blockedCause}: set when this claim is the probe of a
     * cause that blocked it (see WorkQueue).
     */
    public record Claimed(long id, int attempt, String eventName, String eventUuid, Long projectId, Long issueIid,
                          Long actorId, Instant receivedAt, Instant ticketReadAt, int throttles, String blockedCause) {
    }

    /**
     * A DEAD or BLOCKED delivery, for the admin listing: {@code reason} says what is wrong and what fixes
     * it, {@code lastError} what GitLab (or the worker) last answered.
     */
    public record Parked(long id, String status, String eventName, String eventUuid, Long projectId, Long issueIid,
                         int attempts, String reason, String lastError, java.time.Instant receivedAt) {
    }

    /**
     * Stores a batch in one transaction and one commit (group commit for the intake). Returns, in order,
     * each delivery's id, or -1 for a duplicate (of a stored delivery or of an earlier one in the batch).
     * The deliveries become due {@code coalesce} after they arrive, so that the several webhooks GitLab
     * sends for one change of a ticket are worked off by one evaluation; urgent ones (closes) at once.
     *
     * <p>Plain JDBC, with multi-row {@code INSERT … VALUES} statements of fixed sizes (powers of two up to
     * {@value #MAX_ROWS_PER_STATEMENT} rows: a batch of 37 is 32 + 4 + 1 rows), each prepared once per
     * connection and reused: the intake's hot path, where an ORM session and a JTA transaction per batch,
     * and a statement text that changed with the batch size (so PostgreSQL planned every batch anew),
     * cost more than the insert itself. The payloads go as plain text parameters: passing them as one
     * {@code text[]} (an earlier version, {@code unnest}) made the driver escape every quote of the JSON
     * and PostgreSQL parse the array literal back, some 15 µs of PostgreSQL's time per delivery.
     */
    public long[] enqueueAll(List<NewDelivery> batch, Duration coalesce) {
        int n = batch.size();
        Map<String, Long> inserted = new HashMap<>();
        double delaySeconds = coalesce.toNanos() / 1e9;
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            if (autoCommit) {
                c.setAutoCommit(false);
            }
            try {
                int from = 0;
                while (from < n) {
                    int rows = Integer.highestOneBit(Math.min(n - from, MAX_ROWS_PER_STATEMENT));
                    try (PreparedStatement insert = c.prepareStatement(ENQUEUE[Integer.numberOfTrailingZeros(rows)])) {
                        int p = 1;
                        for (int i = from; i < from + rows; i++) {
                            NewDelivery d = batch.get(i);
                            insert.setString(p++, d.dedupeKey());
                            insert.setString(p++, d.eventName());
                            insert.setString(p++, d.eventUuid());
                            insert.setObject(p++, d.projectId(), Types.BIGINT);
                            insert.setObject(p++, d.issueIid(), Types.BIGINT);
                            insert.setObject(p++, d.actorId(), Types.BIGINT);
                            insert.setString(p++, d.payload());
                            insert.setBoolean(p++, d.urgent());
                            insert.setDouble(p++, delaySeconds);
                        }
                        try (ResultSet r = insert.executeQuery()) {
                            while (r.next()) {
                                inserted.put(r.getString(2), r.getLong(1));
                            }
                        }
                    }
                    from += rows;
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                if (autoCommit) {
                    c.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not store " + n + " deliveries: " + e.getMessage(), e);
        }
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            Long id = inserted.remove(batch.get(i).dedupeKey()); // only the first of equal keys gets the id
            ids[i] = id == null ? -1 : id;
        }
        return ids;
    }

    /** The most rows one insert statement carries (9 parameters each). */
    static final int MAX_ROWS_PER_STATEMENT = 64;

    /** {@code ENQUEUE[k]}: the insert of 2^k deliveries, rows in the order given (ids ascending). */
    private static final String[] ENQUEUE = enqueueStatements();

    private static String[] enqueueStatements() {
        String row = "(?, ?, ?, ?, ?, ?, ?, now(), 'PENDING', CASE WHEN ? THEN now() ELSE now() + make_interval(secs => ?) END)";
        String[] statements = new String[Integer.numberOfTrailingZeros(MAX_ROWS_PER_STATEMENT) + 1];
        for (int k = 0; k < statements.length; k++) {
            statements[k] = "INSERT INTO delivery (dedupe_key, event_name, event_uuid, project_id, issue_iid, actor_id, payload, "
                    + "received_at, status, next_attempt_at) VALUES " + String.join(", ", Collections.nCopies(1 << k, row))
                    + " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key";
        }
        return statements;
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<Claimed> claim(int max, String worker, Duration lease) {
        List<Claimed> result = new ArrayList<>();
        for (Object[] r : queue.claim(em(), max, worker, lease,
                "t.event_name, t.event_uuid, t.project_id, t.issue_iid, t.actor_id, t.received_at, "
                        + "(SELECT k.history_read_at FROM ticket k WHERE k.project_id = t.project_id AND k.iid = t.issue_iid), "
                        + "t.throttles, t.blocked_cause")) {
            result.add(new Claimed(((Number) r[0]).longValue(), ((Number) r[1]).intValue(), (String) r[2], (String) r[3],
                    asLong(r[4]), asLong(r[5]), asLong(r[6]), WorkQueue.instant(r[7]), WorkQueue.instant(r[8]),
                    ((Number) r[9]).intValue(), (String) r[10]));
        }
        return result;
    }

    /** How long until a pending delivery nobody holds is due; empty when none is pending. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<Duration> untilNextDue() {
        return queue.untilNextDue(em());
    }

    /**
     * Ends the claimed delivery with {@code status} (DONE or SKIPPED) and what happened. When its ticket
     * was evaluated from a history read that started at {@code coveredUntil}, the same transaction also
     * drops the other pending deliveries about the ticket that this evaluation covered (see
     * {@link #dropCovered}); the outcome kept says how many.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void finish(Claimed d, String worker, String status, String outcome, Instant coveredUntil) {
        int covered = coveredUntil != null && d.projectId() != null && d.issueIid() != null
                ? dropCovered(d.projectId(), d.issueIid(), coveredUntil) : 0;
        if (queue.finish(em(), d.id(), worker, status, null)) {
            em().createNativeQuery("UPDATE delivery SET outcome = :outcome WHERE id = :id")
                    .setParameter("outcome", covered == 0 ? outcome : outcome + "; it also answered " + covered
                            + (covered == 1 ? " delivery" : " deliveries") + " about the ticket received before its read")
                    .setParameter("id", d.id()).executeUpdate();
        }
    }

    /** Tries the delivery again after {@code delay}; a {@code throttled} retry (429) does not use up an attempt. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void retry(long id, String worker, Duration delay, String error, boolean throttled) {
        queue.retry(em(), id, worker, delay, error, throttled);
    }

    /** Gives up on the delivery: DEAD until an operator retries it. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean dead(long id, String worker, String error, String reason) {
        return queue.dead(em(), id, worker, error, reason);
    }

    /** Parks the delivery as BLOCKED by {@code cause} (see WorkQueue). */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean block(long id, String worker, String cause, String error, String reason, Duration probeInterval) {
        return queue.block(em(), id, worker, cause, error, reason, probeInterval);
    }

    /** Releases one BLOCKED delivery per due cause as a probe; returns the causes probed. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public List<String> releaseProbes(Duration probeInterval, int probeAttempts) {
        return queue.releaseProbes(em(), probeInterval, probeAttempts);
    }

    /** Requeues every delivery BLOCKED by {@code cause}; returns how many. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int unblock(String cause) {
        return queue.unblock(em(), cause);
    }

    /** Lets every BLOCKED delivery's cause be probed now. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int probeSoon() {
        return queue.probeSoon(em());
    }

    /** Why deliveries are DEAD or BLOCKED, at most {@code max} distinct reasons. */
    @Transactional
    public List<QueueProblem> problems(int max) {
        return queue.problems(em(), max);
    }

    /**
     * After an evaluation of a ticket that started reading GitLab at {@code readAt} (database clock):
     * deletes every unclaimed pending delivery about that ticket received before then — that evaluation
     * saw whatever they announce. Returns how many. Makes a burst of events on one ticket cost one
     * evaluation.
     *
     * <p>Deleted, not marked SKIPPED: a delivery is only a trigger (the evaluation reads GitLab's history,
     * not the payload), and rewriting each covered row — a new version of a row that carries its payload,
     * two index entries — cost PostgreSQL as much as storing it in the first place (a DELETE writes a
     * few bytes). What an evaluation covered stays as data in the outcome of the delivery it answered.
     * The price: a resend of a dropped delivery (same {@code Idempotency-Key}) is stored again rather than
     * answered "duplicate", and costs one more evaluation, which changes nothing (decisions are a pure
     * function of the history, actions are idempotent).
     */
    @Transactional
    public int dropCovered(long projectId, long iid, Instant readAt) {
        return em().createNativeQuery("DELETE FROM delivery "
                        + "WHERE project_id = :p AND issue_iid = :i AND status = 'PENDING' AND received_at < :readAt "
                        + "AND (locked_until IS NULL OR locked_until < now())")
                .setParameter("p", projectId).setParameter("i", iid)
                .setParameter("readAt", readAt).executeUpdate();
    }

    /**
     * Whether a delivery about the ticket is being worked off now or is due within {@code within} (not
     * blocked, not parked): its evaluation will read the ticket's history anyway, so a reconciliation pass
     * that lists the ticket meanwhile can leave it to that evaluation instead of reading it a second time.
     */
    @Transactional
    public boolean workedOffSoon(long projectId, long iid, Duration within) {
        return em().createNativeQuery("SELECT 1 FROM delivery WHERE project_id = :p AND issue_iid = :i AND status = 'PENDING' "
                        + "AND blocked_cause IS NULL AND (locked_until > now() OR next_attempt_at <= now() + make_interval(secs => :within)) "
                        + "LIMIT 1")
                .setParameter("p", projectId).setParameter("i", iid).setParameter("within", within.toMillis() / 1000.0)
                .getResultList().size() > 0;
    }

    @Transactional
    public Map<String, Long> counts() {
        return queue.counts(em());
    }

    /** Every DEAD or BLOCKED delivery (a probe in flight counts as BLOCKED), oldest first. */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<Parked> parked() {
        List<Object[]> rows = em().createNativeQuery("SELECT id, " + WorkQueue.REPORTED_STATUS + ", event_name, event_uuid, "
                + "project_id, issue_iid, attempts, COALESCE(failure_reason, last_error), last_error, received_at FROM delivery "
                + "WHERE " + WorkQueue.PARKED + " ORDER BY id").getResultList();
        return rows.stream().map(r -> new Parked(((Number) r[0]).longValue(), (String) r[1], (String) r[2], (String) r[3],
                asLong(r[4]), asLong(r[5]), ((Number) r[6]).intValue(), (String) r[7], (String) r[8],
                WorkQueue.instant(r[9]))).toList();
    }

    /** Puts a DEAD or BLOCKED delivery back in the queue with fresh attempts. False if it is neither. */
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
