-- feature_tables: one row; how many rows each signal source holds and how many product features appear in the
-- usage (counted once per import in signal_sources).
select * from signal_sources
