-- Issue 10: the policy in force per watched project (policy as code). overrides: what the project's
-- .countersign.yml sets ({} = the environment's defaults); source_commit: the commit it came from.
-- problem: why the latest read of the file was refused (the last valid policy stays in force).
CREATE TABLE project_policy (
    project_id     BIGINT PRIMARY KEY,
    overrides      JSONB       NOT NULL DEFAULT '{}',
    source         TEXT        NOT NULL CHECK (source IN ('environment', 'file')),
    source_commit  TEXT,
    changed_at     TIMESTAMPTZ NOT NULL,
    problem        TEXT,
    problem_commit TEXT,
    checked_at     TIMESTAMPTZ NOT NULL
);
