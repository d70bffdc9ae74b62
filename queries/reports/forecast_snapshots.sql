-- forecast_snapshots: one row per saved forecast snapshot (id, name, when, as-of day, renewal period [start, end),
-- totals), newest first.
select * from forecast_snapshots order by saved_at desc, id desc
