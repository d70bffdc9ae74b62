-- import_history: one row per import into this database's line: when, source folder, as-of day, files, warnings.
select * from import_history order by imported_at desc
