-- Bearer tokens for machines reading /api/v1 (issue 9). Only the SHA-256 of a token is kept: the token
-- itself is shown once, when it is created. Revoking sets revoked_at (the row stays, for the record).
CREATE TABLE api_token (
    id           BIGSERIAL PRIMARY KEY,
    token_sha256 TEXT        NOT NULL UNIQUE,
    label        TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ
);

-- The audit search (/audit, GET /api/v1/audit) filters by person.
CREATE INDEX audit_entry_actor ON audit_entry (actor, id);
