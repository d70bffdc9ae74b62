-- schema_columns: one row per column of every table: table, column, type, position.
select table_name, column_name, data_type, ordinal_position
from information_schema.columns
where table_schema = 'main'
order by table_name, ordinal_position
