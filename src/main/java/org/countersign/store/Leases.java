package org.countersign.store;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Duration;

/**
 * Named leases for periodic jobs that must run on one instance at a time (reconciliation). A lease
 * expires on its own, so an instance killed while holding it blocks the job for at most {@code ttl}.
 */
@ApplicationScoped
public class Leases {

    /** Takes or renews the lease; false if another holder's lease is still running. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public boolean tryAcquire(String name, String holder, Duration ttl) {
        return Panache.getEntityManager().createNativeQuery(
                "INSERT INTO job_lease (name, holder, lease_until) VALUES (:name, :holder, now() + make_interval(secs => :ttl)) "
                        + "ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until "
                        + "WHERE job_lease.lease_until < now() OR job_lease.holder = EXCLUDED.holder")
                .setParameter("name", name).setParameter("holder", holder).setParameter("ttl", ttl.toMillis() / 1000.0)
                .executeUpdate() == 1;
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void release(String name, String holder) {
        Panache.getEntityManager().createNativeQuery("DELETE FROM job_lease WHERE name = :name AND holder = :holder")
                .setParameter("name", name).setParameter("holder", holder).executeUpdate();
    }
}
