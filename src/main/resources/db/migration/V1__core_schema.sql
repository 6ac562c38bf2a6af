-- Countersign core schema. Flyway owns it: never edit a released migration, add V<n+1>.

-- Projects Countersign watches. watched_since: closes before it are left alone.
CREATE TABLE watched_project (
    project_id        BIGINT PRIMARY KEY,
    path              TEXT        NOT NULL,
    web_url           TEXT,
    watched_since     TIMESTAMPTZ NOT NULL,
    -- reconciliation cursor: GitLab's updated_at of the newest ticket fully handled
    reconciled_until  TIMESTAMPTZ,
    last_reconcile_at TIMESTAMPTZ
);

-- Webhook deliveries, stored before GitLab gets its 202, processed by workers.
CREATE TABLE delivery (
    id              BIGSERIAL PRIMARY KEY,
    dedupe_key      TEXT        NOT NULL UNIQUE,  -- Idempotency-Key, else X-Gitlab-Event-UUID + body hash
    event_name      TEXT        NOT NULL,         -- X-Gitlab-Event
    event_uuid      TEXT,
    project_id      BIGINT,
    issue_iid       BIGINT,
    actor_id        BIGINT,
    payload         TEXT        NOT NULL,
    received_at     TIMESTAMPTZ NOT NULL,
    status          TEXT        NOT NULL CHECK (status IN ('PENDING', 'DONE', 'SKIPPED', 'DEAD')),
    attempts        INT         NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ,
    locked_by       TEXT,
    last_error      TEXT,
    outcome         TEXT,
    processed_at    TIMESTAMPTZ
);
CREATE INDEX delivery_ready ON delivery (next_attempt_at, id) WHERE status = 'PENDING';

-- The latest decision on each ticket (a cache of the audit trail, for pages and skipping unchanged tickets).
CREATE TABLE ticket (
    project_id        BIGINT      NOT NULL,
    iid               BIGINT      NOT NULL,
    title             TEXT        NOT NULL,
    web_url           TEXT,
    verdict           TEXT        NOT NULL,
    summary           TEXT        NOT NULL,
    fingerprint       TEXT        NOT NULL,
    decision          JSONB       NOT NULL,
    review_since      TIMESTAMPTZ,
    valid_signoffs    INT         NOT NULL,
    required_signoffs INT         NOT NULL,
    gitlab_updated_at TIMESTAMPTZ,
    evaluated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (project_id, iid)
);
CREATE INDEX ticket_verdict ON ticket (verdict, review_since);

-- GitLab side effects decided but not yet applied. (project_id, iid, action_key) makes each one unique.
CREATE TABLE pending_action (
    id              BIGSERIAL PRIMARY KEY,
    project_id      BIGINT      NOT NULL,
    iid             BIGINT      NOT NULL,
    action_key      TEXT        NOT NULL,
    kind            TEXT        NOT NULL CHECK (kind IN ('REOPEN', 'RESTORE_LABELS', 'POST_NOTE')),
    payload         JSONB       NOT NULL,
    decision_audit_id BIGINT,
    created_at      TIMESTAMPTZ NOT NULL,
    status          TEXT        NOT NULL CHECK (status IN ('PENDING', 'DONE', 'SKIPPED', 'DEAD')),
    attempts        INT         NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ,
    locked_by       TEXT,
    last_error      TEXT,
    done_at         TIMESTAMPTZ,
    UNIQUE (project_id, iid, action_key)
);
CREATE INDEX pending_action_ready ON pending_action (next_attempt_at, id) WHERE status = 'PENDING';

-- Periodic jobs that must run on one instance at a time hold a lease here.
CREATE TABLE job_lease (
    name        TEXT PRIMARY KEY,
    holder      TEXT        NOT NULL,
    lease_until TIMESTAMPTZ NOT NULL
);

-- The append-only audit trail: every decision and every action, who, what, when, which GitLab event.
CREATE TABLE audit_entry (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    project_id  BIGINT,
    iid         BIGINT,
    kind        TEXT        NOT NULL,   -- DECISION, ACTION
    actor       TEXT,                   -- the GitLab user the entry is about (closer, signer) or 'countersign'
    outcome     TEXT        NOT NULL,   -- verdict for decisions; DONE / SKIPPED / RETRY / DEAD for actions
    summary     TEXT        NOT NULL,
    trigger     TEXT,                   -- what made Countersign look: delivery:<id> (event uuid), reconcile
    gitlab_ref  TEXT,                   -- close state event, note id, action key
    details     JSONB
);
CREATE INDEX audit_entry_ticket ON audit_entry (project_id, iid, id);
CREATE INDEX audit_entry_at ON audit_entry (at);

CREATE FUNCTION audit_entry_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_entry_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_is_append_only();

CREATE TRIGGER audit_entry_no_truncate
    BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_is_append_only();
