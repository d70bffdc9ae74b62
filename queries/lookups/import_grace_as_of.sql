-- import_grace_as_of: one row, the loaded data's as-of day and the grace period its stored tables were built with.
select as_of, grace_days from import_meta
