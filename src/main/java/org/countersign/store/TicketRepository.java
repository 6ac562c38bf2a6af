package org.countersign.store;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Latest decision per ticket. */
@ApplicationScoped
public class TicketRepository implements PanacheRepositoryBase<TicketEntity, TicketEntity.Key> {

    @Transactional
    public Optional<StoredTicket> find(long projectId, long iid) {
        return findByIdOptional(new TicketEntity.Key(projectId, iid)).map(StoredTicket::of);
    }

    /**
     * Serialises deciders of one ticket across instances for the rest of the caller's transaction
     * (a PostgreSQL transaction-level advisory lock keyed by project and issue).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void lock(long projectId, long iid) {
        getEntityManager().createNativeQuery("SELECT pg_advisory_xact_lock(:p, :i)")
                .setParameter("p", (int) projectId).setParameter("i", (int) iid).getSingleResult();
    }

    /** A ticket waiting in the review column since {@code reviewSince}, short of sign-offs. */
    public record Waiting(long projectId, long iid, Instant reviewSince) {
    }

    /**
     * The tickets whose latest decision says they wait for review since {@code cutoff} or earlier and that
     * have no reminder for the period they are in at {@code now} yet (periods of {@code after}), oldest
     * first, at most {@code max}, after {@code cursor} (the last one of the previous page; null: from the
     * start). The period and the key are the reminder's ({@code Reminders.period},
     * {@code Action.RemindReviewers.key}: review start in epoch milliseconds and period number), computed
     * the same way here on whole microseconds, so a ticket reminded for its current period is not read.
     */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<Waiting> owedReminder(Instant cutoff, Instant now, java.time.Duration after, Waiting cursor, int max) {
        String since = "(EXTRACT(EPOCH FROM t.review_since) * 1000000)::bigint";
        var q = getEntityManager().createNativeQuery("SELECT t.project_id, t.iid, t.review_since FROM ticket t "
                        + "WHERE " + WaitingTickets.awaitingSignoff("t") + " AND t.review_since <= :cutoff "
                        + (cursor == null ? "" : "AND (t.review_since, t.project_id, t.iid) > (:cs, :cp, :ci) ")
                        + "AND NOT EXISTS (SELECT 1 FROM pending_action a WHERE a.project_id = t.project_id AND a.iid = t.iid "
                        + "AND a.action_key = 'reminder:' || (" + since + " / 1000) || ':' || ((:nowMicros - " + since
                        + ") / 1000 / :afterMillis)) "
                        + "ORDER BY t.review_since, t.project_id, t.iid")
                .setParameter("cutoff", cutoff)
                .setParameter("nowMicros", now.getEpochSecond() * 1_000_000L + now.getNano() / 1000)
                .setParameter("afterMillis", after.toMillis());
        if (cursor != null) {
            q.setParameter("cs", cursor.reviewSince()).setParameter("cp", cursor.projectId()).setParameter("ci", cursor.iid());
        }
        List<Object[]> rows = q.setMaxResults(max).getResultList();
        return rows.stream().map(r -> new Waiting(((Number) r[0]).longValue(), ((Number) r[1]).longValue(), instant(r[2])))
                .toList();
    }

    private static Instant instant(Object o) {
        if (o instanceof Instant i) {
            return i;
        } else if (o instanceof java.time.OffsetDateTime t) {
            return t.toInstant();
        } else if (o instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        throw new IllegalStateException("unexpected timestamp type " + o.getClass());
    }

    /** Stores the ticket's latest decision, inserting or replacing. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void save(StoredTicket t) {
        TicketEntity e = findById(new TicketEntity.Key(t.projectId(), t.iid()), LockModeType.NONE);
        boolean fresh = e == null;
        if (fresh) {
            e = new TicketEntity();
            e.key = new TicketEntity.Key(t.projectId(), t.iid());
        }
        e.title = t.title();
        e.webUrl = t.webUrl();
        e.verdict = t.verdict();
        e.summary = t.summary();
        e.fingerprint = t.fingerprint();
        e.decision = t.decision();
        e.reviewSince = t.reviewSince();
        e.validSignoffs = t.validSignoffs();
        e.requiredSignoffs = t.requiredSignoffs();
        e.gitlabUpdatedAt = t.gitlabUpdatedAt();
        e.evaluatedAt = t.evaluatedAt();
        if (t.historyReadAt() != null && (e.historyReadAt == null || t.historyReadAt().isAfter(e.historyReadAt))) {
            e.historyReadAt = t.historyReadAt();
        }
        if (fresh) {
            persist(e);
        }
    }

    /**
     * Countersign's own action moved the issue from {@code from} to {@code to} and nothing else happened
     * in between: the stored decision still describes the issue, so reconciliation need not read it again
     * for that change. Compare-and-set: does nothing if the ticket was decided on another version since.
     */
    @Transactional
    public void ownChange(long projectId, long iid, Instant from, Instant to) {
        getEntityManager().createNativeQuery("UPDATE ticket SET gitlab_updated_at = :to WHERE project_id = :p AND iid = :i "
                        + "AND gitlab_updated_at = :from")
                .setParameter("to", to).setParameter("from", from).setParameter("p", projectId).setParameter("i", iid)
                .executeUpdate();
    }
}
