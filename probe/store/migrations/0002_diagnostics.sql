-- 0002: the diagnostic files a failed browser probe left (probe.model.DiagnosticFile).
--
-- A JSON array of {"kind", "path", "sha256", "size"}, NULL when the probe left none
-- (every API probe, and every failure stored before this migration). Text, as the
-- durations are, so that both backends read it alike. Adding a nullable column with
-- no default rewrites nothing in either database: an existing store upgrades at once.

ALTER TABLE failures ADD COLUMN diagnostics TEXT;

ALTER TABLE ignored ADD COLUMN diagnostics TEXT;
