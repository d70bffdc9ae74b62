-- data_as_of: the single row of import metadata (as-of day, reporting currency, import time).
select as_of, reporting_currency, imported_at, source from import_meta
