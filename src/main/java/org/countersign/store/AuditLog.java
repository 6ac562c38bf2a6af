package org.countersign.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;

/** Appends to and reads the audit trail. There is deliberately no update or delete. */
@ApplicationScoped
public class AuditLog {

    /** Appends within the caller's transaction (one is required). Returns the new entry's id. */
    @Transactional(Transactional.TxType.MANDATORY)
    public long append(AuditRecord r) {
        AuditEntryEntity e = new AuditEntryEntity();
        e.at = r.at();
        e.projectId = r.projectId();
        e.iid = r.iid();
        e.kind = r.kind();
        e.actor = r.actor();
        e.outcome = r.outcome();
        e.summary = r.summary();
        e.trigger = r.trigger();
        e.gitlabRef = r.gitlabRef();
        e.details = r.details();
        e.persist();
        e.flush();
        return e.id;
    }

    @Transactional
    public List<AuditRecord> forTicket(long projectId, long iid) {
        return AuditEntryEntity.<AuditEntryEntity>find("projectId = ?1 and iid = ?2 order by id", projectId, iid)
                .stream().map(AuditRecord::of).toList();
    }

    /** Newest first, optionally narrowed to one project, one kind; at most {@code limit} entries. */
    @Transactional
    public List<AuditRecord> recent(Long projectId, String kind, int limit) {
        StringBuilder q = new StringBuilder("1 = 1");
        java.util.Map<String, Object> params = new java.util.HashMap<>();
        if (projectId != null) {
            q.append(" and projectId = :project");
            params.put("project", projectId);
        }
        if (kind != null) {
            q.append(" and kind = :kind");
            params.put("kind", kind);
        }
        q.append(" order by id desc");
        return AuditEntryEntity.<AuditEntryEntity>find(q.toString(), params).page(0, limit).stream()
                .map(AuditRecord::of).toList();
    }
}
