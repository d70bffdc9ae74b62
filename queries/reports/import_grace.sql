-- import_grace: one row, the grace period (days) the loaded data's stored figures were made with.
select grace_days from import_meta
