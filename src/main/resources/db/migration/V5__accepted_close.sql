-- Closes Countersign accepted, with the facts the acceptance relied on (who signed off, with which
-- access level, when). An accepted close stays accepted whatever changes later in GitLab (a reviewer
-- removed or demoted, the review label renamed or deleted, a sign-off edited): each decision on the
-- ticket reads these rows. Insert-only, like the audit trail.
CREATE TABLE accepted_close (
    project_id  bigint      NOT NULL,
    iid         bigint      NOT NULL,
    close_ref   text        NOT NULL,
    accepted_at timestamptz NOT NULL,
    closed_by   text,
    facts       jsonb       NOT NULL,
    PRIMARY KEY (project_id, iid, close_ref)
);

CREATE FUNCTION accepted_close_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'accepted_close is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER accepted_close_no_update_or_delete
    BEFORE UPDATE OR DELETE ON accepted_close
    FOR EACH ROW EXECUTE FUNCTION accepted_close_is_append_only();

CREATE TRIGGER accepted_close_no_truncate
    BEFORE TRUNCATE ON accepted_close
    FOR EACH STATEMENT EXECUTE FUNCTION accepted_close_is_append_only();
