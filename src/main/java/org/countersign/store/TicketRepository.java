package org.countersign.store;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
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
