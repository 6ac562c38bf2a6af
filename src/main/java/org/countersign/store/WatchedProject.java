package org.countersign.store;

import java.time.Instant;

/** A watched project; {@code reconciledUntil} is GitLab's updated_at up to which tickets were handled. */
public record WatchedProject(long projectId, String path, String webUrl, Instant watchedSince, Instant reconciledUntil,
                             Instant lastReconcileAt) {
    static WatchedProject of(WatchedProjectEntity e) {
        return new WatchedProject(e.projectId, e.path, e.webUrl, e.watchedSince, e.reconciledUntil, e.lastReconcileAt);
    }
}
