-- Issue 10: closes made under the emergency path, one row per close, and what became of them.
-- due_at drives the deadline job (runtime/EmergencyDeadlineJob); the audit trail keeps the history.
CREATE TABLE emergency_close (
    project_id   BIGINT      NOT NULL,
    iid          BIGINT      NOT NULL,
    close_ref    TEXT        NOT NULL,
    closed_by    TEXT,
    requested_by TEXT        NOT NULL,
    reason       TEXT        NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    due_at       TIMESTAMPTZ NOT NULL,
    status       TEXT        NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'REVIEWED', 'OVERDUE')),
    settled_at   TIMESTAMPTZ,
    PRIMARY KEY (project_id, iid, close_ref)
);
CREATE INDEX emergency_close_due ON emergency_close (due_at) WHERE status = 'OPEN';
CREATE INDEX audit_entry_emergency ON audit_entry (actor) WHERE kind = 'EMERGENCY';

-- the emergency label is added and removed by its own queued action
ALTER TABLE pending_action DROP CONSTRAINT pending_action_kind_check;
ALTER TABLE pending_action ADD CONSTRAINT pending_action_kind_check
    CHECK (kind IN ('REOPEN', 'RESTORE_LABELS', 'POST_NOTE', 'LABELS'));
