package org.countersign.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Optional;

/** The projects Countersign watches and since when. */
@ApplicationScoped
public class WatchedProjects {

    /**
     * Records that the project is watched from {@code now} unless it already was: the first instance
     * to see a project fixes its watch start for good (several replicas race safely).
     */
    @Transactional
    public WatchedProject ensure(long projectId, String path, String webUrl, Instant now) {
        WatchedProjectEntity.getEntityManager().createNativeQuery(
                "INSERT INTO watched_project (project_id, path, web_url, watched_since) VALUES (:id, :path, :url, :now) "
                        + "ON CONFLICT (project_id) DO UPDATE SET path = EXCLUDED.path, web_url = EXCLUDED.web_url")
                .setParameter("id", projectId).setParameter("path", path).setParameter("url", webUrl)
                .setParameter("now", now).executeUpdate();
        WatchedProjectEntity e = WatchedProjectEntity.findById(projectId);
        WatchedProjectEntity.getEntityManager().refresh(e);
        return WatchedProject.of(e);
    }

    @Transactional
    public Optional<WatchedProject> find(long projectId) {
        return WatchedProjectEntity.<WatchedProjectEntity>findByIdOptional(projectId).map(WatchedProject::of);
    }

    /** A watched project and the database clock, read in one transaction (the start of an evaluation). */
    public record Clocked(WatchedProject project, Instant databaseNow) {
    }

    /** {@link #find} and the database's {@code clock_timestamp()} in one transaction; empty when not watched. */
    @Transactional
    public Optional<Clocked> findWithClock(long projectId) {
        Optional<WatchedProject> project = find(projectId);
        if (project.isEmpty()) {
            return Optional.empty();
        }
        Object now = WatchedProjectEntity.getEntityManager().createNativeQuery("SELECT clock_timestamp()").getSingleResult();
        return Optional.of(new Clocked(project.get(), WorkQueue.instant(now)));
    }

    @Transactional
    public java.util.List<WatchedProject> all() {
        return WatchedProjectEntity.<WatchedProjectEntity>listAll().stream().map(WatchedProject::of).toList();
    }

    /** Moves the reconciliation cursor forward (never back). */
    @Transactional
    public void reconciled(long projectId, Instant until, Instant now) {
        WatchedProjectEntity e = WatchedProjectEntity.findById(projectId);
        if (until != null && (e.reconciledUntil == null || until.isAfter(e.reconciledUntil))) {
            e.reconciledUntil = until;
        }
        e.lastReconcileAt = now;
    }
}
