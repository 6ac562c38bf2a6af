-- Heartbeat probes (issue 8): checks, their pings, their transitions, the tickets they opened, and the
-- alerts (ticket, webhook, e-mail) waiting to be sent.

CREATE TABLE probe_check (
    id                   BIGSERIAL PRIMARY KEY,
    slug                 TEXT        NOT NULL UNIQUE,
    name                 TEXT        NOT NULL,
    ping_key             UUID        NOT NULL UNIQUE,
    -- from the checks file (COUNTERSIGN_CHECKS_FILE) or the REST API
    source               TEXT        NOT NULL CHECK (source IN ('file', 'api')),
    period_seconds       BIGINT,
    cron                 TEXT,
    timezone             TEXT,
    grace_seconds        BIGINT      NOT NULL,
    min_duration_seconds BIGINT,
    project              TEXT,
    owners               TEXT        NOT NULL DEFAULT '',
    is_public            BOOLEAN     NOT NULL,
    CHECK ((period_seconds IS NULL) <> (cron IS NULL)),
    status               TEXT        NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'up', 'started', 'late', 'down')),
    created_at           TIMESTAMPTZ NOT NULL,
    last_ping_at         TIMESTAMPTZ,
    last_start_at        TIMESTAMPTZ,
    down_since           TIMESTAMPTZ,
    -- deadlines of the current state (probes/ProbeRules#deadlines), computed at every ping: the sweep
    -- compares them with now in one statement
    late_at              TIMESTAMPTZ,
    down_at              TIMESTAMPTZ,
    -- per-key rate limit: a token bucket shared by every instance
    rate_tokens          DOUBLE PRECISION NOT NULL DEFAULT 0,
    rate_at              TIMESTAMPTZ
);
CREATE INDEX probe_check_down_at ON probe_check (down_at) WHERE status IN ('up', 'late', 'started');
CREATE INDEX probe_check_late_at ON probe_check (late_at) WHERE status = 'up';

-- Every ping received; body = the first 10 kB of a POST body (the run's log).
CREATE TABLE probe_ping (
    id          BIGSERIAL PRIMARY KEY,
    check_id    BIGINT      NOT NULL REFERENCES probe_check (id) ON DELETE CASCADE,
    received_at TIMESTAMPTZ NOT NULL,
    kind        TEXT        NOT NULL CHECK (kind IN ('success', 'start', 'fail', 'exit')),
    exit_status INT,
    duration_ms BIGINT,
    body        TEXT
);
CREATE INDEX probe_ping_check ON probe_ping (check_id, id DESC);

-- Every change of state, with its cause (probes/Cause) and a sentence.
CREATE TABLE probe_transition (
    id          BIGSERIAL PRIMARY KEY,
    check_id    BIGINT      NOT NULL REFERENCES probe_check (id) ON DELETE CASCADE,
    at          TIMESTAMPTZ NOT NULL,
    from_status TEXT        NOT NULL,
    to_status   TEXT        NOT NULL,
    cause       TEXT        NOT NULL,
    detail      TEXT        NOT NULL
);
CREATE INDEX probe_transition_check ON probe_transition (check_id, at);

-- The tickets probes opened. At most one open per check: the database says so, whatever the instances.
CREATE TABLE probe_ticket (
    id         BIGSERIAL PRIMARY KEY,
    check_id   BIGINT      NOT NULL REFERENCES probe_check (id) ON DELETE CASCADE,
    project_id BIGINT      NOT NULL,
    iid        BIGINT      NOT NULL,
    opened_at  TIMESTAMPTZ NOT NULL,
    closed_at  TIMESTAMPTZ
);
CREATE UNIQUE INDEX probe_ticket_one_open ON probe_ticket (check_id) WHERE closed_at IS NULL;

-- Alerts to send (queue, same bookkeeping as pending_action: store/WorkQueue). channel: TICKET (open or
-- comment on the check's ticket, or the recovery note), WEBHOOK, EMAIL. One per (transition, channel).
CREATE TABLE probe_alert (
    id              BIGSERIAL PRIMARY KEY,
    check_id        BIGINT      NOT NULL REFERENCES probe_check (id) ON DELETE CASCADE,
    transition_id   BIGINT      NOT NULL REFERENCES probe_transition (id) ON DELETE CASCADE,
    channel         TEXT        NOT NULL CHECK (channel IN ('TICKET', 'WEBHOOK', 'EMAIL')),
    event           TEXT        NOT NULL CHECK (event IN ('DOWN', 'UP')),
    created_at      TIMESTAMPTZ NOT NULL,
    status          TEXT        NOT NULL CHECK (status IN ('PENDING', 'DONE', 'SKIPPED', 'DEAD', 'BLOCKED')),
    attempts        INT         NOT NULL DEFAULT 0,
    throttles       INT         NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ,
    locked_by       TEXT,
    last_error      TEXT,
    failure_reason  TEXT,
    blocked_cause   TEXT,
    outcome         TEXT,
    done_at         TIMESTAMPTZ,
    UNIQUE (transition_id, channel)
);
CREATE INDEX probe_alert_ready ON probe_alert (next_attempt_at, id) WHERE status = 'PENDING';
