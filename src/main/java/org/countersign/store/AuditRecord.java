package org.countersign.store;

import java.time.Instant;

/**
 * One audit entry as the rest of the service sees it.
 *
 * @param kind    DECISION or ACTION
 * @param actor   the GitLab username the entry is about (closer, signer), or {@code countersign}
 * @param outcome verdict for decisions; DONE, SKIPPED, RETRY or DEAD for actions
 * @param trigger what made Countersign look (e.g. {@code delivery:12 event=<uuid>}, {@code reconcile})
 * @param gitlabRef the GitLab object concerned (close state event, note, action key)
 * @param details JSON text with the full decision or action, may be null
 * @param mode    enforce or shadow: the mode of the instance that wrote it (set by {@link AuditLog#append})
 */
public record AuditRecord(Long id, Instant at, Long projectId, Long iid, String kind, String actor, String outcome,
                          String summary, String trigger, String gitlabRef, String details, String mode) {

    /** An entry to append: {@link AuditLog} records the running mode with it. */
    public AuditRecord(Long id, Instant at, Long projectId, Long iid, String kind, String actor, String outcome,
                       String summary, String trigger, String gitlabRef, String details) {
        this(id, at, projectId, iid, kind, actor, outcome, summary, trigger, gitlabRef, details, null);
    }

    static AuditRecord of(AuditEntryEntity e) {
        return new AuditRecord(e.id, e.at, e.projectId, e.iid, e.kind, e.actor, e.outcome, e.summary, e.trigger,
                e.gitlabRef, e.details, e.mode);
    }
}
