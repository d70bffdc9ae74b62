-- import_files: one row per file of the last import: table, file, preset, rows, blank rows dropped.
select * from import_files order by table_name
