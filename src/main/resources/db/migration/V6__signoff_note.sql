-- The body of every /signoff note as Countersign first read it (its SHA-256). GitLab shows no editor
-- and moves a note's updated_at for emoji reactions as for edits: a body that differs from the one
-- first read is an edit, whatever updated_at says.
CREATE TABLE signoff_note (
    project_id    bigint      NOT NULL,
    iid           bigint      NOT NULL,
    note_id       bigint      NOT NULL,
    body_sha256   text        NOT NULL,
    first_seen_at timestamptz NOT NULL,
    PRIMARY KEY (project_id, iid, note_id)
);
