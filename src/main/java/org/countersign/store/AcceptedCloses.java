package org.countersign.store;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The closes Countersign accepted (table {@code accepted_close}, insert-only): once recorded, a close
 * stays accepted whatever changes later in GitLab.
 */
@ApplicationScoped
public class AcceptedCloses {

    /** Refs of the ticket's accepted closes. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Set<String> refs(long projectId, long iid) {
        @SuppressWarnings("unchecked")
        List<String> rows = Panache.getEntityManager()
                .createNativeQuery("SELECT close_ref FROM accepted_close WHERE project_id = :p AND iid = :i")
                .setParameter("p", projectId).setParameter("i", iid).getResultList();
        return new HashSet<>(rows);
    }

    /** Records an acceptance once; {@code facts} is JSON (who signed off, with which access level, when). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(long projectId, long iid, String closeRef, Instant acceptedAt, String closedBy, String facts) {
        Panache.getEntityManager().createNativeQuery("INSERT INTO accepted_close (project_id, iid, close_ref, accepted_at, "
                        + "closed_by, facts) VALUES (:p, :i, :ref, :at, :by, CAST(:facts AS jsonb)) ON CONFLICT DO NOTHING")
                .setParameter("p", projectId).setParameter("i", iid).setParameter("ref", closeRef)
                .setParameter("at", acceptedAt).setParameter("by", closedBy).setParameter("facts", facts)
                .executeUpdate();
    }
}
