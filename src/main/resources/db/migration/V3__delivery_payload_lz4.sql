-- The stored webhook payloads (a few kB of JSON each, written at every delivery) are compressed with
-- lz4 instead of PostgreSQL's default pglz: measured on the intake's insert-then-skip pattern, about
-- 40 % more deliveries per second for the same CPU (docs/performance.md). lz4 needs PostgreSQL 14+
-- built with it (Debian's, Ubuntu's and the official images are); elsewhere pglz simply stays.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE delivery ALTER COLUMN payload SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error OR undefined_object THEN
    RAISE NOTICE 'lz4 compression is not available, delivery payloads stay compressed with pglz';
END
$$;
