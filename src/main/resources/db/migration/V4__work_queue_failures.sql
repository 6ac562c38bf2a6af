-- Failures are not all alike (runtime/Workers, docs/operations.md):
--  * BLOCKED: GitLab refused for a reason an operator fixes on GitLab's side (401: the bot's token;
--    403: the bot's role). The row waits, one row per cause is probed every
--    COUNTERSIGN_WORKER_BLOCKED_PROBE_INTERVAL, and when a probe gets through every row blocked for
--    that cause is queued again: enforcement resumes without a manual step.
--  * throttles: 429 answers met by the row. A 429 does not use up an attempt (attempts is given back);
--    this count only grows the wait when GitLab names none (per-endpoint limits answer without headers).
--  * failure_reason: why the row is DEAD or BLOCKED, as a sentence that names the fix.
ALTER TABLE delivery DROP CONSTRAINT delivery_status_check;
ALTER TABLE delivery ADD CONSTRAINT delivery_status_check
    CHECK (status IN ('PENDING', 'DONE', 'SKIPPED', 'DEAD', 'BLOCKED'));
ALTER TABLE delivery ADD COLUMN blocked_cause TEXT;
ALTER TABLE delivery ADD COLUMN failure_reason TEXT;
ALTER TABLE delivery ADD COLUMN throttles INT NOT NULL DEFAULT 0;
CREATE INDEX delivery_blocked ON delivery (blocked_cause, next_attempt_at) WHERE status = 'BLOCKED';

ALTER TABLE pending_action DROP CONSTRAINT pending_action_status_check;
ALTER TABLE pending_action ADD CONSTRAINT pending_action_status_check
    CHECK (status IN ('PENDING', 'DONE', 'SKIPPED', 'DEAD', 'BLOCKED'));
ALTER TABLE pending_action ADD COLUMN blocked_cause TEXT;
ALTER TABLE pending_action ADD COLUMN failure_reason TEXT;
ALTER TABLE pending_action ADD COLUMN throttles INT NOT NULL DEFAULT 0;
CREATE INDEX pending_action_blocked ON pending_action (blocked_cause, next_attempt_at) WHERE status = 'BLOCKED';
