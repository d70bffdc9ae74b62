-- split_usage_by_day: writes the demo's usage events before $last_day as one Parquet file per day under
-- $target (hive folders day=YYYY-MM-DD), the shape of an event pipeline's daily export, for the refresh bench.
copy (
    select *, event_time::date as day
    from read_parquet($source)
    where event_time::date < $last_day::date
) to $target (format parquet, partition_by (day))
