-- Issue 10: the operating mode (enforce or shadow) of the instance that wrote each audit entry.
-- Entries written before shadow mode existed were all written enforcing.
ALTER TABLE audit_entry ADD COLUMN mode TEXT NOT NULL DEFAULT 'enforce' CHECK (mode IN ('enforce', 'shadow'));
-- from now on every writer states its mode
ALTER TABLE audit_entry ALTER COLUMN mode DROP DEFAULT;
