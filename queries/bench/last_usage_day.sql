-- last_usage_day: writes the demo's usage events of $last_day to the one file $target (the new day a refresh
-- reads), with the same day column the daily files carry.
copy (
    select *, event_time::date as day
    from read_parquet($source)
    where event_time::date = $last_day::date
) to $target (format parquet)
