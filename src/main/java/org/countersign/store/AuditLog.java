package org.countersign.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;
import org.countersign.governance.Governance;

/** Appends to and reads the audit trail. There is deliberately no update or delete. */
@ApplicationScoped
public class AuditLog {

    private final Governance governance;

    public AuditLog(Governance governance) {
        this.governance = governance;
    }

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
        e.mode = governance.mode().key();
        e.persist();
        e.flush();
        return e.id;
    }

    @Transactional
    public List<AuditRecord> forTicket(long projectId, long iid) {
        return AuditEntryEntity.<AuditEntryEntity>find("projectId = ?1 and iid = ?2 order by id", projectId, iid)
                .stream().map(AuditRecord::of).toList();
    }

    /** The project-level entries (no ticket: policy changes), oldest first. */
    @Transactional
    public List<AuditRecord> forProject(long projectId) {
        return AuditEntryEntity.<AuditEntryEntity>find("projectId = ?1 and iid is null order by id", projectId)
                .stream().map(AuditRecord::of).toList();
    }
}
