-- schema_tables: one row per table of the database: name and (estimated) row count.
select table_name, estimated_size as row_count
from duckdb_tables()
where schema_name = 'main'
order by table_name
