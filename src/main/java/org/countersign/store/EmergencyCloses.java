package org.countersign.store;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Closes made under the emergency path (table {@code emergency_close}): each recorded once (the primary
 * key makes that so across instances), settled once (REVIEWED or OVERDUE), and the open ones listed by
 * deadline for the deadline job.
 */
@ApplicationScoped
public class EmergencyCloses {

    /** A ticket whose emergency close is due for its retroactive review. */
    public record Due(long projectId, long iid, String closeRef, Instant dueAt) {
    }

    /** Emergency closes per person (the closer), with what became of them: from the audit trail. */
    public record PerPerson(String person, long emergencyCloses, long reviewed, long overdue) {
    }

    /** Records the emergency close once; true if this call recorded it. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean open(long projectId, long iid, String closeRef, String closedBy, String requestedBy, String reason,
                        Instant now, Instant dueAt) {
        return Panache.getEntityManager().createNativeQuery("INSERT INTO emergency_close (project_id, iid, close_ref, "
                        + "closed_by, requested_by, reason, recorded_at, due_at) VALUES (:p, :i, :ref, :by, :req, :reason, :now, :due) "
                        + "ON CONFLICT DO NOTHING")
                .setParameter("p", projectId).setParameter("i", iid).setParameter("ref", closeRef).setParameter("by", closedBy)
                .setParameter("req", requestedBy).setParameter("reason", reason).setParameter("now", now)
                .setParameter("due", dueAt).executeUpdate() == 1;
    }

    /** Settles an open emergency close as REVIEWED or OVERDUE; true if this call settled it. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean settle(long projectId, long iid, String closeRef, String status, Instant now) {
        return Panache.getEntityManager().createNativeQuery("UPDATE emergency_close SET status = :s, settled_at = :now "
                        + "WHERE project_id = :p AND iid = :i AND close_ref = :ref AND status = 'OPEN'")
                .setParameter("s", status).setParameter("now", now).setParameter("p", projectId).setParameter("i", iid)
                .setParameter("ref", closeRef).executeUpdate() == 1;
    }

    /** Open emergency closes whose review was due at or before {@code now}, oldest deadline first. */
    @Transactional
    public List<Due> due(Instant now, int limit) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Panache.getEntityManager().createNativeQuery("SELECT project_id, iid, close_ref, due_at "
                        + "FROM emergency_close WHERE status = 'OPEN' AND due_at <= :now ORDER BY due_at LIMIT :n")
                .setParameter("now", now).setParameter("n", limit).getResultList();
        List<Due> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new Due(((Number) r[0]).longValue(), ((Number) r[1]).longValue(), (String) r[2], toInstant(r[3])));
        }
        return out;
    }

    /** Emergency closes counted per closer, from the audit trail's EMERGENCY entries. */
    @Transactional
    public List<PerPerson> perPerson() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Panache.getEntityManager().createNativeQuery("SELECT coalesce(actor, '(unknown)'), "
                        + "count(*) FILTER (WHERE outcome = 'REVIEW_OWED'), count(*) FILTER (WHERE outcome = 'REVIEWED'), "
                        + "count(*) FILTER (WHERE outcome = 'OVERDUE') FROM audit_entry WHERE kind = 'EMERGENCY' "
                        + "GROUP BY 1 ORDER BY 2 DESC, 1")
                .getResultList();
        List<PerPerson> out = new ArrayList<>();
        for (Object[] r : rows) {
            out.add(new PerPerson((String) r[0], ((Number) r[1]).longValue(), ((Number) r[2]).longValue(),
                    ((Number) r[3]).longValue()));
        }
        return out;
    }

    private static Instant toInstant(Object o) {
        if (o instanceof Instant i) {
            return i;
        } else if (o instanceof java.sql.Timestamp t) {
            return t.toInstant();
        } else if (o instanceof java.time.OffsetDateTime t) {
            return t.toInstant();
        }
        throw new IllegalStateException("unexpected timestamp " + o);
    }
}
